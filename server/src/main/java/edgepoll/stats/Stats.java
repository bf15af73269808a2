package edgepoll.stats;

import edgepoll.config.Options;

import edgepoll.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The counters of every loop and their sum, with the ratios users come for, as JSON
 * ({@code --stats-json}; schema in README.md) and as the table printed to stderr at exit. Built off
 * the hot path from counters the loops have finished writing.
 */
public record Stats(Options options, int port, List<Loop> loops) {

    /** One loop's counters; {@code allocatedBytes} is the loop thread's heap allocation over its life (so far, in live stats). */
    public record Loop(int index, int tid, SyscallCounters counters, long allocatedBytes, Throwable failure) {}

    public SyscallCounters total() {
        SyscallCounters t = new SyscallCounters();
        for (Loop l : loops) t.add(l.counters());
        return t;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }

    /** The per-request ratios, as JSON members. */
    static String ratiosJson(SyscallCounters c) {
        long req = c.requests();
        long ctl = c.calls(Sys.EPOLL_CTL_ADD) + c.calls(Sys.EPOLL_CTL_MOD) + c.calls(Sys.EPOLL_CTL_DEL);
        long eagain = 0;
        for (Sys s : Sys.ALL) eagain += c.eagain(s);
        long wakeups = c.calls(Sys.EPOLL_WAIT);
        return "{\"syscalls_per_request\": " + num(ratio(c.totalCalls(), req))
                + ", \"epoll_wait_per_request\": " + num(ratio(wakeups, req))
                + ", \"events_per_wakeup\": " + num(ratio(c.events(), wakeups))
                + ", \"reads_per_request\": " + num(ratio(c.calls(Sys.READ), req))
                + ", \"eagain_per_request\": " + num(ratio(eagain, req))
                + ", \"epoll_ctl_per_request\": " + num(ratio(ctl, req))
                + ", \"bytes_per_write\": " + num(ratio(c.bytes(Sys.SEND), c.calls(Sys.SEND) - c.eagain(Sys.SEND)))
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
              .append(", \"errors_by_errno\": {");
            boolean f2 = true;
            for (int e = 1; e < Errno.MAX; e++) {
                long n = c.errors(s, e);
                if (n == 0) continue;
                if (!f2) sb.append(", ");
                f2 = false;
                sb.append('"').append(Errno.name(e)).append("\": ").append(n);
            }
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

    /** --syscall-latency's rows of the exit table (empty when off). */
    static String latencyTable(SyscallLatency lat) {
        if (lat == null) return "";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-16s %-7s %12s %9s %9s %9s %9s %11s   (ns per call, --syscall-latency)%n",
                "syscall latency", "outcome", "calls", "p50", "p90", "p99", "p99.9", "max"));
        for (Sys s : Sys.ALL) {
            for (int o = 0; o < SyscallLatency.OUTCOMES.length; o++) {
                org.HdrHistogram.Histogram h = lat.histogram(s, o);
                if (h == null || h.getTotalCount() == 0) continue;
                sb.append(String.format(Locale.ROOT, "  %-16s %-7s %12d %9d %9d %9d %9d %11d%n", s.straceName, SyscallLatency.OUTCOMES[o],
                        h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                        h.getValueAtPercentile(99.9), h.getMaxValue()));
            }
        }
        return sb.toString();
    }

    /** The uring mode's figures: enters, SQEs and CQEs per enter and per request, CQE errors by op and errno. */
    static String uringJson(SyscallCounters c) {
        long enters = c.calls(Sys.IO_URING_ENTER), req = c.requests();
        StringBuilder sb = new StringBuilder();
        sb.append("{\"enter_calls\": ").append(enters)
          .append(", \"sqes_prepared\": ").append(c.totalSqes())
          .append(", \"sqes_submitted\": ").append(c.sqesSubmitted())
          .append(", \"cqes\": ").append(c.totalCqes())
          .append(", \"submitted_per_enter\": ").append(num(ratio(c.sqesSubmitted(), enters)))
          .append(", \"cqes_per_enter\": ").append(num(ratio(c.totalCqes(), enters)))
          .append(", \"cqes_per_request\": ").append(num(ratio(c.totalCqes(), req)))
          .append(", \"enobufs\": ").append(c.cqeErrors(UringOp.RECV, Errno.ENOBUFS))
          .append(", \"ops\": {");
        boolean first = true;
        for (UringOp op : UringOp.ALL) {
            if (!first) sb.append(", ");
            first = false;
            sb.append('"').append(op.opName).append("\": {\"sqes\": ").append(c.sqes(op))
              .append(", \"cqes\": ").append(c.cqes(op)).append(", \"errors_by_errno\": {");
            boolean f2 = true;
            for (int e = 1; e < Errno.MAX; e++) {
                long n = c.cqeErrors(op, e);
                if (n == 0) continue;
                if (!f2) sb.append(", ");
                f2 = false;
                sb.append('"').append(Errno.name(e)).append("\": ").append(n);
            }
            sb.append("}}");
        }
        return sb.append("}}").toString();
    }

    public String toJson() {
        Options o = options;
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"edgepoll_stats_version\": 1,\n");
        sb.append("  \"options\": {\"mode\": \"").append(o.mode()).append("\", \"drain\": \"").append(o.drain())
          .append("\", \"protocol\": \"").append(o.protocol()).append("\", \"bind\": \"").append(o.bind())
          .append("\", \"port\": ").append(port).append(", \"loops\": ").append(o.loops())
          .append(", \"backlog\": ").append(o.backlog()).append(", \"buffer_size\": ").append(o.bufferSize())
          .append(", \"max_events\": ").append(o.maxEvents()).append(", \"nodelay\": ").append(o.nodelay())
          .append(", \"cork\": ").append(o.cork()).append(", \"idle_timeout_ms\": ").append(o.idleTimeoutMs())
          .append(", \"response_size\": ").append(o.responseSize())
          .append(", \"max_header_bytes\": ").append(o.maxHeaderBytes());
        if (o.mode().equals("uring")) sb.append(", \"sqpoll\": ").append(o.sqpoll()).append(", \"uring_entries\": ").append(o.uringEntries());
        sb.append("},\n");
        sb.append("  \"total\": ").append(countersJson(total())).append(",\n");
        sb.append("  \"loops\": [");
        for (int i = 0; i < loops.size(); i++) {
            Loop l = loops.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"loop\": ").append(l.index()).append(", \"tid\": ").append(l.tid())
              .append(", \"allocated_bytes\": ").append(l.allocatedBytes())
              .append(", \"counters\": ").append(countersJson(l.counters())).append('}');
        }
        sb.append("\n  ],\n  \"balance\": ").append(balanceJson()).append("\n}\n");
        return sb.toString();
    }

    /** Each loop's share of the accepted connections (0 when none were accepted). */
    public double[] acceptShares() {
        long total = total().accepted();
        double[] share = new double[loops.size()];
        for (int i = 0; i < share.length; i++) share[i] = ratio(loops.get(i).counters().accepted(), total);
        return share;
    }

    /** Accept share of the least and the busiest loop, and wasted wake-ups per accepted connection. */
    String balanceJson() {
        double[] s = acceptShares();
        double min = s.length == 0 ? 0 : java.util.Arrays.stream(s).min().getAsDouble();
        double max = s.length == 0 ? 0 : java.util.Arrays.stream(s).max().getAsDouble();
        SyscallCounters c = total();
        return "{\"listener\": \"" + (options.sharesEpoll() ? "shared-epoll " + options.sharedEpoll() : options.listener())
                + "\", \"accept_share_min\": " + num(min)
                + ", \"accept_share_max\": " + num(max)
                + ", \"empty_accept_wakeups_per_connection\": " + num(ratio(c.emptyAcceptWakeups(), c.accepted())) + "}";
    }

    /** How the loops share the port, as the balance line names it. */
    private String listenerLabel() {
        return options.sharesEpoll() ? "--shared-epoll " + options.sharedEpoll() : "--listener " + options.listener();
    }

    /** Writes the JSON atomically (temp file, then rename), so a reader never sees half a file. */
    public void writeJson(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * One compact stderr line for the interval since {@code before}: req/s, syscalls/req,
     * events/wake-up, EAGAIN/req and open connections.
     */
    public String intervalLine(SyscallCounters before, double seconds) {
        SyscallCounters now = total();
        long req = now.requests() - before.requests();
        long calls = now.totalCalls() - before.totalCalls();
        long waits = now.calls(Sys.EPOLL_WAIT) - before.calls(Sys.EPOLL_WAIT);
        long events = now.events() - before.events();
        long eagain = 0;
        for (Sys s : Sys.ALL) eagain += now.eagain(s) - before.eagain(s);
        return String.format(Locale.ROOT, "edgepoll: req/s=%.0f syscalls/req=%s events/wakeup=%s eagain/req=%s open=%d",
                req / seconds, num(ratio(calls, req)), num(ratio(events, waits)), num(ratio(eagain, req)),
                now.accepted() - now.closed());
    }

    /** "EPIPE=2 ECONNRESET=1": the errno of each error a syscall returned (EAGAIN and EINTR have columns of their own). */
    private static String errnoNames(SyscallCounters c, Sys s) {
        StringBuilder sb = new StringBuilder();
        for (int e = 1; e < Errno.MAX; e++) {
            long n = c.errors(s, e);
            if (n > 0) sb.append(sb.isEmpty() ? "" : " ").append(Errno.name(e)).append('=').append(n);
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    /** The exit summary: one row per syscall the loops made, then the totals and ratios. */
    public String table() {
        SyscallCounters c = total();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "edgepoll: mode=%s drain=%s protocol=%s loops=%d: %d requests, %d connections accepted, %d closed%n",
                options.mode(), options.drainPolicy(), options.protocol(),
                options.loops(), c.requests(), c.accepted(), c.closed()));
        sb.append(String.format(Locale.ROOT, "  %-16s %12s %10s %8s %8s %14s %10s  %s%n", "syscall", "calls", "EAGAIN", "EINTR", "errors", "bytes", "per req", "errors by errno"));
        for (Sys s : Sys.ALL) {
            if (c.calls(s) == 0) continue;
            sb.append(String.format(Locale.ROOT, "  %-16s %12d %10d %8d %8d %14d %10s  %s%n", s.straceName, c.calls(s),
                    c.eagain(s), c.eintr(s), c.errors(s), c.bytes(s), c.requests() == 0 ? "-" : num(ratio(c.calls(s), c.requests())),
                    errnoNames(c, s)));
        }
        sb.append(String.format(Locale.ROOT, "  %-16s %12d %51s%n", "total", c.totalCalls(),
                c.requests() == 0 ? "-" : num(ratio(c.totalCalls(), c.requests()))));
        if (c.calls(Sys.EPOLL_WAIT) > 0 || c.calls(Sys.IO_URING_ENTER) == 0) sb.append(String.format(Locale.ROOT, "  epoll_wait: %d events, %.2f per wake-up, %d wake-ups with none, %d EPOLLOUT-only events with nothing to send%n",
                c.events(), ratio(c.events(), c.calls(Sys.EPOLL_WAIT)), c.zeroWakeups(), c.idleWritableEvents()));
        long enters = c.calls(Sys.IO_URING_ENTER);
        if (enters > 0) {
            sb.append(String.format(Locale.ROOT, "  io_uring: %d enters, %.2f SQEs submitted and %.2f CQEs per enter, %.2f CQEs per request, %d ENOBUFS%n",
                    enters, ratio(c.sqesSubmitted(), enters), ratio(c.totalCqes(), enters), ratio(c.totalCqes(), c.requests()),
                    c.cqeErrors(UringOp.RECV, Errno.ENOBUFS)));
            for (UringOp op : UringOp.ALL) {
                if (c.cqes(op) == 0 && c.sqes(op) == 0) continue;
                StringBuilder errs = new StringBuilder();
                for (int e = 1; e < Errno.MAX; e++) {
                    if (c.cqeErrors(op, e) > 0) errs.append(' ').append(Errno.name(e)).append('=').append(c.cqeErrors(op, e));
                }
                sb.append(String.format(Locale.ROOT, "    %-13s %10d SQEs %10d CQEs%s%n", op.opName, c.sqes(op), c.cqes(op), errs));
            }
        }
        sb.append(latencyTable(c.latency()));
        if (loops.size() > 1) sb.append(perLoopTable());
        return sb.toString();
    }

    /** With several loops: who accepted, who was woken for nothing, who served, what it cost, and the balance line. */
    String perLoopTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "  %-6s %10s %10s %14s %12s %10s%n", "loop", "accepted", "listener", "empty wake-ups", "requests", "cpu ms"));
        for (Loop l : loops) {
            SyscallCounters c = l.counters();
            sb.append(String.format(Locale.ROOT, "  %-6d %10d %10d %14d %12d %10d%n", l.index(), c.accepted(), c.listenerEvents(),
                    c.emptyAcceptWakeups(), c.requests(), c.cpuNanos() / 1_000_000));
        }
        double[] s = acceptShares();
        double min = java.util.Arrays.stream(s).min().orElse(0), max = java.util.Arrays.stream(s).max().orElse(0);
        SyscallCounters t = total();
        sb.append(String.format(Locale.ROOT, "  balance (%s): accept share min %.1f%% max %.1f%% (even: %.1f%%), %.3f empty accept wake-ups per connection%n",
                listenerLabel(), 100 * min, 100 * max, 100.0 / s.length, ratio(t.emptyAcceptWakeups(), t.accepted())));
        return sb.toString();
    }
}
