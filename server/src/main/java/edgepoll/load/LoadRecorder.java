package edgepoll.load;

import java.lang.management.ManagementFactory;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Where one generator thread's counts and latencies go: the warm-up's own objects until the
 * measured window opens, then {@link #counters} and {@link #latency}; and the heap bytes the thread
 * allocated in the window. Plain fields, touched by the owning {@link LoadThread} only (the
 * coordinating thread reads {@link #latency}'s interval histograms, which is what the single-writer
 * recorder is for, and {@link #counters} once the thread ended).
 */
final class LoadRecorder {
    /** Looked up once: each lookup allocates, and the last one would fall in the measured window. */
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Latencies in nanoseconds; the coordinating thread takes interval histograms from it. */
    final SingleWriterRecorder latency = new SingleWriterRecorder(LoadThread.MAX_LATENCY_NS, 3);
    /** The measured window's counts; final once the thread ended. */
    final LoadCounters counters = new LoadCounters();
    private final long measureAt;
    private boolean measuring;
    /**
     * Where counts go: the warm-up's own until the measured window opens, then {@link #counters}
     * (and {@link #sink}: {@link #latency}). Switching objects instead of testing a flag on every
     * request keeps one code path, which the JIT has compiled by the end of the warm-up; a branch
     * first taken when the window opens would send compiled code back to the interpreter, whose
     * downcalls allocate, in the middle of the measurement. The other parts of the thread count
     * their errors here directly.
     */
    LoadCounters count = new LoadCounters();
    private SingleWriterRecorder sink = new SingleWriterRecorder(LoadThread.MAX_LATENCY_NS, 3);
    private long allocatedAtStart;

    LoadRecorder(long measureAt) {
        this.measureAt = measureAt;
    }

    /** Opens the measured window once {@code now} reached it. */
    void measureFrom(long now) {
        if (!measuring && now >= measureAt) {
            measuring = true;
            count = counters;
            sink = latency;
            allocatedAtStart = threadAllocatedBytes();
        }
    }

    boolean measuring() {
        return measuring;
    }

    /** A response (or echo message) came back whole at {@code t}: counts it and records its latency. */
    void completed(LoadConnection c, long t, boolean non2xx, boolean mismatch) {
        long start = c.pop();
        count.requests++;
        if (non2xx) count.non2xx++;
        if (mismatch) count.mismatches++;
        sink.recordValue(Math.min(Math.max(t - start, 0), LoadThread.MAX_LATENCY_NS));
    }

    /** Heap bytes this thread allocated since the window opened; -1 if it never opened. */
    long allocatedInWindow() {
        return measuring ? threadAllocatedBytes() - allocatedAtStart : -1;
    }

    private static long threadAllocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
