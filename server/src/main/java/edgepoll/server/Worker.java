package edgepoll.server;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;

/**
 * One serving unit the {@link Server} starts on its own thread: an event loop (et, lt, poll,
 * busy-poll) or a blocking acceptor with its connection threads (blocking, threads,
 * virtual-threads). It owns one listener fd and reports counters the same way whatever the model.
 */
abstract class Worker implements Runnable {
    final int index;
    final Options options;
    final int listenFd;
    final CountDownLatch started = new CountDownLatch(1);
    volatile boolean stopRequested;
    /** Kernel thread id of the worker's own thread (the loop, or the acceptor). */
    volatile int tid;
    /** Final counters, set when the worker's thread ends. */
    volatile SyscallCounters result;
    volatile Throwable failure;
    /** Heap bytes the worker's own thread allocated over its life, set when it ends (-1 before; live stats ask the JVM). */
    volatile long allocatedBytes = -1;
    /** --trace: the worker's recorder (event loops only), read after the thread ended. */
    volatile Tracer tracer;
    /** Answers GET /_edgepoll/stats; set before the thread starts; null: no endpoint. */
    java.util.function.Supplier<String> statsSource;

    Worker(int index, Options options, int listenFd) {
        this.index = index;
        this.options = options;
        this.listenFd = listenFd;
    }

    /** Counters as of a recent consistent point; safe from any thread. */
    abstract SyscallCounters liveCounters();

    /** Asks the worker to stop; {@code callState} is the calling thread's capture segment. */
    abstract void requestStop(MemorySegment callState);

    /** Fds the Server must close after the worker's thread ended (e.g. a wake eventfd). */
    int[] fdsToCloseAfter() {
        return new int[0];
    }

    /** Heap bytes {@code t} allocated so far (HotSpot's per-thread TLAB accounting); -1 once it ended. */
    static long threadAllocatedBytes(Thread t) {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(t.threadId());
    }

    static long currentThreadAllocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
