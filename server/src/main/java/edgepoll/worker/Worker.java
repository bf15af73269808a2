package edgepoll.worker;

import edgepoll.config.Options;
import edgepoll.stats.SyscallCounters;
import edgepoll.kernel.SyscallRecorder;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * One serving unit the Server starts on its own thread: an event loop (edgepoll.loop) or a blocking
 * acceptor with its connection threads (edgepoll.model). It owns one listener fd and reports
 * counters the same way whatever the model. The fields below are the Server's view of it: written
 * by the worker's thread, read by the Server's (volatile, or after join).
 */
public abstract class Worker implements Runnable {
    /** Lingering close: how long a closed-for-writing connection may take to send its FIN. */
    public static final long LINGER_MS = 5_000;
    /** How long accepting pauses after EMFILE, ENFILE, ENOBUFS or ENOMEM, instead of spinning. */
    public static final long ACCEPT_PAUSE_MS = 100;

    /**
     * Looked up once: ManagementFactory.getThreadMXBean() allocates about 630 bytes per call, and a
     * loop reads its CPU time each time it publishes counters (a stats request), which must not
     * allocate on its thread.
     */
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public final int index;
    public final Options options;
    public final int listenFd;
    public final CountDownLatch started = new CountDownLatch(1);
    public volatile boolean stopRequested;
    /** Kernel thread id of the worker's own thread (the loop, or the acceptor). */
    public volatile int tid;
    /** Final counters, set when the worker's thread ends. */
    public volatile SyscallCounters result;
    public volatile Throwable failure;
    /** Heap bytes the worker's own thread allocated over its life, set when it ends (-1 before; live stats ask the JVM). */
    public volatile long allocatedBytes = -1;
    /** --trace: the worker's recorder (event loops only), read after the thread ended. */
    public volatile SyscallRecorder tracer;
    /** Answers GET /_edgepoll/stats; set before the thread starts; null: no endpoint. */
    public Supplier<String> statsSource;

    protected Worker(int index, Options options, int listenFd) {
        this.index = index;
        this.options = options;
        this.listenFd = listenFd;
    }

    /**
     * Counters while the worker runs, from any thread: for an event loop one batch boundary (it
     * publishes a copy when asked); for a blocking model a recent past, summed from the per-thread
     * counters of its sessions (each counter only grows, but the sum is not one instant).
     */
    public abstract SyscallCounters liveCounters();

    /** Asks the worker to stop; {@code callState} is the calling thread's capture segment. */
    public abstract void requestStop(MemorySegment callState);

    /** Fds the Server must close after the worker's thread ended (e.g. a wake eventfd). */
    public int[] fdsToCloseAfter() {
        return new int[0];
    }

    /** Heap bytes {@code t} allocated so far (HotSpot's per-thread TLAB accounting); -1 once it ended. */
    public static long threadAllocatedBytes(Thread t) {
        return THREADS.getThreadAllocatedBytes(t.threadId());
    }

    /** CPU time (user + system) of the calling thread, for the per-loop counters. */
    public static long currentThreadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    public static long currentThreadAllocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
