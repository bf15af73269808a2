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
        if (c.calls(Sys.IO_URING_ENTER) > 0) sb.append(", \"io_uring\": ").append(uringJson(c));
        sb.append('}');
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
        sb.append("\n  ]\n}\n");
        return sb.toString();
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

    /** The exit summary: one row per syscall the loops made, then the totals and ratios. */
    public String table() {
        SyscallCounters c = total();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "edgepoll: mode=%s%s protocol=%s loops=%d: %d requests, %d connections accepted, %d closed%n",
                options.mode(), options.edgeTriggered() ? " drain=" + options.drain() : "", options.protocol(),
                options.loops(), c.requests(), c.accepted(), c.closed()));
        sb.append(String.format(Locale.ROOT, "  %-16s %12s %10s %8s %8s %14s %10s%n", "syscall", "calls", "EAGAIN", "EINTR", "errors", "bytes", "per req"));
        for (Sys s : Sys.ALL) {
            if (c.calls(s) == 0) continue;
            sb.append(String.format(Locale.ROOT, "  %-16s %12d %10d %8d %8d %14d %10s%n", s.straceName, c.calls(s),
                    c.eagain(s), c.eintr(s), c.errors(s), c.bytes(s), c.requests() == 0 ? "-" : num(ratio(c.calls(s), c.requests()))));
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
        return sb.toString();
    }
}
