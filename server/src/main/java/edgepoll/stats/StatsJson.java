package edgepoll.stats;

import edgepoll.config.Mode;
import edgepoll.config.Options;
import edgepoll.sys.Errno;

/** {@link Stats} as JSON ({@code --stats-json}, the live stats endpoint; schema in docs/observability.md). */
final class StatsJson {
    private StatsJson() {}

    /** The per-request ratios, as JSON members. */
    static String ratiosJson(SyscallCounters c) {
        long req = c.requests();
        long ctl = c.calls(Sys.EPOLL_CTL_ADD) + c.calls(Sys.EPOLL_CTL_MOD) + c.calls(Sys.EPOLL_CTL_DEL);
        long eagain = 0;
        for (Sys s : Sys.ALL) eagain += c.eagain(s);
        long wakeups = c.calls(Sys.EPOLL_WAIT);
        return "{\"syscalls_per_request\": " + Stats.num(Stats.ratio(c.totalCalls(), req))
                + ", \"epoll_wait_per_request\": " + Stats.num(Stats.ratio(wakeups, req))
                + ", \"events_per_wakeup\": " + Stats.num(Stats.ratio(c.events(), wakeups))
                + ", \"reads_per_request\": " + Stats.num(Stats.ratio(c.calls(Sys.READ), req))
                + ", \"eagain_per_request\": " + Stats.num(Stats.ratio(eagain, req))
                + ", \"epoll_ctl_per_request\": " + Stats.num(Stats.ratio(ctl, req))
                + ", \"bytes_per_write\": " + Stats.num(Stats.ratio(c.bytes(Sys.SEND), c.calls(Sys.SEND) - c.eagain(Sys.SEND)))
                + "}";
    }

    static String countersJson(SyscallCounters c) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"requests\": ").append(c.requests())
          .append(", \"connections_accepted\": ").append(c.accepted())
          .append(", \"connections_closed\": ").append(c.closed())
          .append(", \"open_connections\": ").append(c.accepted() - c.closed())
          .append(", \"connections_rejected\": ").append(c.rejected())
          .append(", \"connections_shed_at_fd_limit\": ").append(c.shed())
          .append(", \"stale_events_dropped\": ").append(c.staleEvents())
          .append(", \"owed_drains\": ").append(c.owedDrains())
          .append(", \"buffer_pool_bytes\": ").append(c.bufferPoolBytes())
          .append(", \"buffers_in_use\": ").append(c.buffersInUse())
          .append(", \"listener_events\": ").append(c.listenerEvents())
          .append(", \"empty_accept_wakeups\": ").append(c.emptyAcceptWakeups())
          .append(", \"cpu_ms\": ").append(c.cpuNanos() / 1_000_000)
          .append(", \"owner_collisions\": ").append(c.ownerCollisions())
          .append(", \"bytes_in\": ").append(c.bytesIn())
          .append(", \"bytes_out\": ").append(c.bytesOut())
          .append(", \"epoll_wait\": {\"events\": ").append(c.events())
          .append(", \"zero_event_wakeups\": ").append(c.zeroWakeups())
          .append(", \"idle_writable_events\": ").append(c.idleWritableEvents())
          .append(", \"writable_events\": ").append(c.writableEvents())
          .append(", \"events_histogram\": {");
        boolean first = true;
        for (int b = 0; b < SyscallCounters.BUCKETS; b++) {
            if (c.eventsHistogram[b] == 0) continue;
            if (!first) sb.append(", ");
            first = false;
            sb.append('"').append(SyscallCounters.bucketFloor(b)).append(b == SyscallCounters.BUCKETS - 1 ? "+" : "")
              .append("\": ").append(c.eventsHistogram[b]);
        }
        sb.append("}}, \"syscalls\": {");
        first = true;
        for (Sys s : Sys.ALL) {
            if (!first) sb.append(", ");
            first = false;
            sb.append('"').append(s.straceName).append("\": {\"calls\": ").append(c.calls(s))
              .append(", \"ok\": ").append(c.calls(s) - c.eagain(s) - c.eintr(s) - c.errors(s))
              .append(", \"eagain\": ").append(c.eagain(s))
              .append(", \"eintr\": ").append(c.eintr(s))
              .append(", \"errors\": ").append(c.errors(s))
              .append(", \"bytes\": ").append(c.bytes(s))
              .append(", \"short\": ").append(c.shortCalls(s))
              .append(", \"errors_by_errno\": {");
            errnos(sb, e -> c.errors(s, e));
            sb.append("}}");
        }
        sb.append("}, \"ratios\": ").append(ratiosJson(c));
        if (c.latency() != null) sb.append(", \"syscall_latency_ns\": ").append(latencyJson(c.latency()));
        if (c.calls(Sys.IO_URING_ENTER) > 0) sb.append(", \"io_uring\": ").append(uringJson(c));
        sb.append('}');
        return sb.toString();
    }

    /** --syscall-latency: per call and outcome, count and percentiles of the call's duration in nanoseconds. */
    static String latencyJson(SyscallLatency lat) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Sys s : Sys.ALL) {
            boolean any = false;
            for (int o = 0; o < SyscallLatency.OUTCOMES.length; o++) {
                org.HdrHistogram.Histogram h = lat.histogram(s, o);
                if (h == null || h.getTotalCount() == 0) continue;
                if (!any) {
                    sb.append(first ? "" : ", ").append('"').append(s.straceName).append("\": {");
                    first = false;
                } else {
                    sb.append(", ");
                }
                any = true;
                sb.append('"').append(SyscallLatency.OUTCOMES[o]).append("\": {\"count\": ").append(h.getTotalCount())
                  .append(", \"mean\": ").append(Math.round(h.getMean()))
                  .append(", \"p50\": ").append(h.getValueAtPercentile(50))
                  .append(", \"p90\": ").append(h.getValueAtPercentile(90))
                  .append(", \"p99\": ").append(h.getValueAtPercentile(99))
                  .append(", \"p99_9\": ").append(h.getValueAtPercentile(99.9))
                  .append(", \"max\": ").append(h.getMaxValue()).append('}');
            }
            if (any) sb.append('}');
        }
        return sb.append('}').toString();
    }

    /** The uring mode's figures: enters, SQEs and CQEs per enter and per request, CQE errors by op and errno. */
    static String uringJson(SyscallCounters c) {
        long enters = c.calls(Sys.IO_URING_ENTER), req = c.requests();
        StringBuilder sb = new StringBuilder();
        sb.append("{\"enter_calls\": ").append(enters)
          .append(", \"sqes_prepared\": ").append(c.totalSqes())
          .append(", \"sqes_submitted\": ").append(c.sqesSubmitted())
          .append(", \"cqes\": ").append(c.totalCqes())
          .append(", \"submitted_per_enter\": ").append(Stats.num(Stats.ratio(c.sqesSubmitted(), enters)))
          .append(", \"cqes_per_enter\": ").append(Stats.num(Stats.ratio(c.totalCqes(), enters)))
          .append(", \"cqes_per_request\": ").append(Stats.num(Stats.ratio(c.totalCqes(), req)))
          .append(", \"enobufs\": ").append(c.cqeErrors(UringOp.RECV, Errno.ENOBUFS))
          .append(", \"cq_overflow_enters\": ").append(c.cqOverflowEnters())
          .append(", \"enter_ebusy\": ").append(c.enterBusy())
          .append(", \"cq_dropped\": ").append(c.cqDropped())
          .append(", \"ops\": {");
        boolean first = true;
        for (UringOp op : UringOp.ALL) {
            if (!first) sb.append(", ");
            first = false;
            sb.append('"').append(op.opName).append("\": {\"sqes\": ").append(c.sqes(op))
              .append(", \"cqes\": ").append(c.cqes(op)).append(", \"errors_by_errno\": {");
            errnos(sb, e -> c.cqeErrors(op, e));
            sb.append("}}");
        }
        return sb.append("}}").toString();
    }

    static String of(Stats st) {
        Options o = st.options();
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"edgepoll_stats_version\": 1,\n");
        sb.append("  \"options\": {\"mode\": \"").append(o.mode()).append("\", \"drain\": \"").append(o.drain())
          .append("\", \"protocol\": \"").append(o.protocol()).append("\", \"bind\": \"").append(o.bind())
          .append("\", \"port\": ").append(st.port()).append(", \"loops\": ").append(o.loops())
          .append(", \"backlog\": ").append(o.backlog()).append(", \"buffer_size\": ").append(o.bufferSize())
          .append(", \"max_events\": ").append(o.maxEvents()).append(", \"nodelay\": ").append(o.nodelay())
          .append(", \"cork\": ").append(o.cork()).append(", \"idle_timeout_ms\": ").append(o.idleTimeoutMs())
          .append(", \"response_size\": ").append(o.responseSize())
          .append(", \"max_header_bytes\": ").append(o.maxHeaderBytes());
        if (o.mode() == Mode.URING) sb.append(", \"sqpoll\": ").append(o.sqpoll()).append(", \"uring_entries\": ").append(o.uringEntries());
        sb.append("},\n");
        sb.append("  \"total\": ").append(countersJson(st.total())).append(",\n");
        sb.append("  \"loops\": [");
        for (int i = 0; i < st.loops().size(); i++) {
            Stats.Loop l = st.loops().get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"loop\": ").append(l.index()).append(", \"tid\": ").append(l.tid())
              .append(", \"allocated_bytes\": ").append(l.allocatedBytes())
              .append(", \"counters\": ").append(countersJson(l.counters())).append('}');
        }
        sb.append("\n  ],\n  \"balance\": ").append(balanceJson(st)).append("\n}\n");
        return sb.toString();
    }

    /** Accept share of the least and the busiest loop, and wasted wake-ups per accepted connection. */
    static String balanceJson(Stats st) {
        double[] s = st.acceptShares();
        double min = s.length == 0 ? 0 : java.util.Arrays.stream(s).min().getAsDouble();
        double max = s.length == 0 ? 0 : java.util.Arrays.stream(s).max().getAsDouble();
        SyscallCounters c = st.total();
        return "{\"listener\": \"" + (st.options().sharesEpoll() ? "shared-epoll " + st.options().sharedEpoll() : st.options().listener())
                + "\", \"accept_share_min\": " + Stats.num(min)
                + ", \"accept_share_max\": " + Stats.num(max)
                + ", \"empty_accept_wakeups_per_connection\": " + Stats.num(Stats.ratio(c.emptyAcceptWakeups(), c.accepted())) + "}";
    }

    /** {@code "EPIPE": 2, "ECONNRESET": 1}: the errnos with a non-zero count, as JSON members. */
    private static void errnos(StringBuilder sb, java.util.function.IntToLongFunction count) {
        boolean first = true;
        for (int e = 1; e < Errno.MAX; e++) {
            long n = count.applyAsLong(e);
            if (n == 0) continue;
            if (!first) sb.append(", ");
            first = false;
            sb.append('"').append(Errno.name(e)).append("\": ").append(n);
        }
    }
}
