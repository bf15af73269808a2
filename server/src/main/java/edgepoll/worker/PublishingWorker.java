package edgepoll.worker;

import edgepoll.config.Options;
import edgepoll.stats.PublishedCounters;
import edgepoll.stats.SyscallCounters;
import edgepoll.sys.CallState;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A worker with one thread that owns its counters and sleeps in the kernel (an epoll loop, the
 * io_uring loop): other threads reach it only through its wake eventfd and the copy of its counters
 * it publishes at the end of a batch when asked ({@link PublishedCounters}).
 *
 * <p>The wake eventfd belongs to the Server, which creates it and closes it after the thread ended
 * ({@link #fdsToCloseAfter}); {@link #wake()} writes it under this object's lock, so no write can
 * reach a closed (or reused) fd number.
 */
public abstract class PublishingWorker extends Worker {
    private static final ThreadLocal<Boolean> ON_A_LOOP = ThreadLocal.withInitial(() -> false);

    protected final int wakeFd;
    protected final PublishedCounters published = new PublishedCounters();
    private boolean wakeFdClosed;  // guarded by this
    private volatile Thread thread;

    protected PublishingWorker(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd);
        this.wakeFd = wakeFd;
    }

    /**
     * The thread's body, the same for every loop: {@link #serve} in a confined arena this thread owns
     * for its whole life (closed when serve returns or throws). A failure is recorded as the
     * worker's; one that comes after the counters exist and before the loop's result still closes
     * what the loop opened ({@link #shutdownAll}), while the arena is open.
     */
    @Override
    public final void run() {
        thread = Thread.currentThread();
        ON_A_LOOP.set(true);
        try (Arena arena = Arena.ofConfined()) {
            try {
                serve(arena);
            } catch (Throwable t) {
                failure = t;
                if (ownCounters() != null && result == null) {
                    try {
                        shutdownAll();
                    } catch (Throwable suppressed) {
                        t.addSuppressed(suppressed);
                    }
                }
            }
        } finally {
            allocatedBytes = currentThreadAllocatedBytes();
            started.countDown();
        }
    }

    /** Sets up the loop in {@code arena} (counting {@link #started} down once it serves), then runs it until stopped. */
    protected abstract void serve(Arena arena) throws Exception;

    /** Closes every connection, the listener and the loop's kernel objects, and sets {@link #result}. */
    protected abstract void shutdownAll();

    /** The live counters, for the owning thread only; null before they exist. */
    protected abstract SyscallCounters ownCounters();

    /**
     * Counters as of the end of a recent batch (one batch boundary, never a mix). From another
     * thread: asks the worker to publish, wakes it, and waits up to 200 ms for the copy; from a loop
     * thread (the stats endpoint) it does not wait for another loop, which could be waiting for it,
     * and takes its latest copy; on the worker's own thread, its own counters.
     */
    @Override
    public final SyscallCounters liveCounters() {
        SyscallCounters done = result;
        if (done != null) return done;
        SyscallCounters own = ownCounters();
        if (Thread.currentThread() == thread && own != null) return own.snapshot();
        if (own == null) return new SyscallCounters();
        long before = published.publications();
        published.request();
        wake();
        if (!ON_A_LOOP.get()) {
            long deadline = System.nanoTime() + 200_000_000L;
            while (published.publications() == before && result == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }
            if (result != null) return result;
        }
        return published.read();
    }

    @Override
    public final void requestStop(MemorySegment callState) {
        stopRequested = true;
        wake();
    }

    /** Interrupts the worker's wait (one eventfd write); a no-op once the Server closed the wake fd. */
    protected final synchronized void wake() {
        if (wakeFdClosed) return;
        try (Arena a = Arena.ofConfined()) {
            Syscalls.write(CallState.allocate(a), wakeFd, a.allocateFrom(ValueLayout.JAVA_LONG, 1L), 8);
        }
    }

    /** The Server's, after the worker's thread ended: the wake fd, to close. */
    @Override
    public final synchronized int[] fdsToCloseAfter() {
        wakeFdClosed = true;
        return new int[] {wakeFd};
    }
}
