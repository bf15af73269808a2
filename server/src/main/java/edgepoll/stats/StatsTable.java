package edgepoll.stats;

import edgepoll.config.Options;
import edgepoll.sys.Errno;
import java.util.Locale;

/** {@link Stats} as the table printed to stderr at exit: a row per syscall, totals, ratios, io_uring and per-loop rows. */
final class StatsTable {
    private StatsTable() {}

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
    static String of(Stats st) {
        SyscallCounters c = st.total();
        Options options = st.options();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "edgepoll: mode=%s drain=%s protocol=%s loops=%d: %d requests, %d connections accepted, %d closed%n",
                options.mode(), options.drainPolicy(), options.protocol(),
                options.loops(), c.requests(), c.accepted(), c.closed()));
        sb.append(String.format(Locale.ROOT, "  %-16s %12s %10s %8s %8s %14s %10s  %s%n", "syscall", "calls", "EAGAIN", "EINTR", "errors", "bytes", "per req", "errors by errno"));
        for (Sys s : Sys.ALL) {
            if (c.calls(s) == 0) continue;
            sb.append(String.format(Locale.ROOT, "  %-16s %12d %10d %8d %8d %14d %10s  %s%n", s.straceName, c.calls(s),
                    c.eagain(s), c.eintr(s), c.errors(s), c.bytes(s), c.requests() == 0 ? "-" : Stats.num(Stats.ratio(c.calls(s), c.requests())),
                    errnoNames(c, s)));
        }
        sb.append(String.format(Locale.ROOT, "  %-16s %12d %51s%n", "total", c.totalCalls(),
                c.requests() == 0 ? "-" : Stats.num(Stats.ratio(c.totalCalls(), c.requests()))));
        if (c.calls(Sys.EPOLL_WAIT) > 0 || c.calls(Sys.IO_URING_ENTER) == 0) sb.append(String.format(Locale.ROOT, "  epoll_wait: %d events, %.2f per wake-up, %d wake-ups with none, %d EPOLLOUT-only events with nothing to send, %d EPOLLOUT events with replies waiting%n",
                c.events(), Stats.ratio(c.events(), c.calls(Sys.EPOLL_WAIT)), c.zeroWakeups(), c.idleWritableEvents(), c.writableEvents()));
        if (c.shortCalls(Sys.READ) + c.shortCalls(Sys.SEND) > 0) sb.append(String.format(Locale.ROOT, "  short: %d reads and %d sends moved fewer bytes than asked%n",
                c.shortCalls(Sys.READ), c.shortCalls(Sys.SEND)));
        long enters = c.calls(Sys.IO_URING_ENTER);
        if (enters > 0) {
            sb.append(String.format(Locale.ROOT, "  io_uring: %d enters, %.2f SQEs submitted and %.2f CQEs per enter, %.2f CQEs per request, %d ENOBUFS;"
                    + " CQ overflow after %d enters, %d EBUSY, %d CQEs dropped%n",
                    enters, Stats.ratio(c.sqesSubmitted(), enters), Stats.ratio(c.totalCqes(), enters), Stats.ratio(c.totalCqes(), c.requests()),
                    c.cqeErrors(UringOp.RECV, Errno.ENOBUFS), c.cqOverflowEnters(), c.enterBusy(), c.cqDropped()));
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
        if (st.loops().size() > 1) sb.append(perLoopTable(st));
        return sb.toString();
    }

    /** With several loops: who accepted, who was woken for nothing, who served, what it cost, and the balance line. */
    static String perLoopTable(Stats st) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "  %-6s %10s %10s %14s %12s %10s%n", "loop", "accepted", "listener", "empty wake-ups", "requests", "cpu ms"));
        for (Stats.Loop l : st.loops()) {
            SyscallCounters c = l.counters();
            sb.append(String.format(Locale.ROOT, "  %-6d %10d %10d %14d %12d %10d%n", l.index(), c.accepted(), c.listenerEvents(),
                    c.emptyAcceptWakeups(), c.requests(), c.cpuNanos() / 1_000_000));
        }
        double[] s = st.acceptShares();
        double min = java.util.Arrays.stream(s).min().orElse(0), max = java.util.Arrays.stream(s).max().orElse(0);
        SyscallCounters t = st.total();
        sb.append(String.format(Locale.ROOT, "  balance (%s): accept share min %.1f%% max %.1f%% (even: %.1f%%), %.3f empty accept wake-ups per connection%n",
                st.listenerLabel(), 100 * min, 100 * max, 100.0 / s.length, Stats.ratio(t.emptyAcceptWakeups(), t.accepted())));
        return sb.toString();
    }
}
