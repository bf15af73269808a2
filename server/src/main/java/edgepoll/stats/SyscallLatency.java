package edgepoll.stats;

import edgepoll.sys.Errno;
import org.HdrHistogram.Histogram;

/**
 * {@code --syscall-latency}: for every {@link Sys} and every outcome (ok, EAGAIN, error), an
 * HdrHistogram of how long the downcall took, in nanoseconds, from before the FFM call to after it
 * (so it includes the downcall's own Java-to-native transition, a few tens of nanoseconds, besides
 * the time in the kernel). Part of a loop's {@link SyscallCounters}, written only by the loop
 * thread. A histogram is made the first time its call and outcome occur; recording into it
 * allocates nothing.
 */
public final class SyscallLatency {
    public static final int OK = 0, EAGAIN = 1, ERROR = 2;
    public static final String[] OUTCOMES = {"ok", "EAGAIN", "error"};
    /** Longest duration tracked (a blocking epoll_wait can last long); longer ones count as this. */
    static final long MAX_NANOS = 60_000_000_000L;

    private final Histogram[] histograms = new Histogram[Sys.ALL.length * OUTCOMES.length];

    static int outcome(long rc) {
        return rc >= 0 ? OK : rc == -Errno.EAGAIN ? EAGAIN : ERROR;
    }

    public void record(Sys kind, long rc, long nanos) {
        int i = kind.ordinal() * OUTCOMES.length + outcome(rc);
        Histogram h = histograms[i];
        if (h == null) histograms[i] = h = newHistogram();
        h.recordValue(Math.max(1, Math.min(nanos, MAX_NANOS)));
    }

    private static Histogram newHistogram() {
        return new Histogram(1, MAX_NANOS, 2);
    }

    /** The histogram of {@code kind} with {@code outcome}, or null when no such call was timed. */
    public Histogram histogram(Sys kind, int outcome) {
        return histograms[kind.ordinal() * OUTCOMES.length + outcome];
    }

    /** Adds {@code o}'s histograms into this (the all-loops sum, a snapshot). */
    void add(SyscallLatency o) {
        for (int i = 0; i < histograms.length; i++) {
            if (o.histograms[i] == null) continue;
            if (histograms[i] == null) histograms[i] = newHistogram();
            histograms[i].add(o.histograms[i]);
        }
    }

    /** Overwrites {@code into} with this (the loop's publication, only when a reader asked). */
    void copyInto(SyscallLatency into) {
        for (int i = 0; i < histograms.length; i++) {
            if (histograms[i] == null) continue;
            if (into.histograms[i] == null) into.histograms[i] = newHistogram();
            histograms[i].copyInto(into.histograms[i]);
        }
    }
}
