package edgepoll.stats;

import edgepoll.config.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The counters of every loop and their sum, with the ratios users come for, as JSON
 * ({@code --stats-json}, {@link StatsJson}; schema in docs/observability.md) and as the table
 * printed to stderr at exit ({@link StatsTable}). Built off
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

    static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    static String num(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }

    /** The JSON of {@code --stats-json} and of the stats endpoint (schema: docs/observability.md). */
    public String toJson() {
        return StatsJson.of(this);
    }

    /** The exit summary: one row per syscall the loops made, then the totals and ratios. */
    public String table() {
        return StatsTable.of(this);
    }

    /** Each loop's share of the accepted connections (0 when none were accepted). */
    public double[] acceptShares() {
        long total = total().accepted();
        double[] share = new double[loops.size()];
        for (int i = 0; i < share.length; i++) share[i] = ratio(loops.get(i).counters().accepted(), total);
        return share;
    }

    /** How the loops share the port, as the balance line names it. */
    String listenerLabel() {
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

}
