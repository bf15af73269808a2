package edgepoll.model;

import edgepoll.config.Mode;
import edgepoll.config.TraceFormat;
import edgepoll.config.Options;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.kernel.PerfettoRecorder;
import edgepoll.kernel.SharedRecorder;
import edgepoll.kernel.SyscallRecorder;
import edgepoll.stats.SyscallCounters;
import edgepoll.worker.Worker;

import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The models without a readiness loop, over the same FFM syscalls:
 * <ul>
 *   <li>{@code blocking} (seed 001's first servers): one thread accepts, reads until the request is
 *       complete, answers, closes; one connection at a time. HTTP replies carry
 *       {@code Connection: close}. {@code --once} serves one connection and exits.</li>
 *   <li>{@code threads}: a platform thread per connection on blocking sockets, at most
 *       {@code --max-threads} at once (further connections wait in the listen backlog).</li>
 *   <li>{@code virtual-threads}: a virtual thread per connection. A blocking FFM call would pin the
 *       virtual thread to its carrier and, with one carrier per core, stall the rest; so, as the JDK
 *       does for its own sockets, the socket is non-blocking, a read or send that meets EAGAIN
 *       registers the fd with one shared epoll instance (EPOLLONESHOT) and parks the virtual thread,
 *       and a poller thread unparks it when epoll_wait reports the fd ({@link VirtualThreadPoller}).
 *       The counters show that machinery: an EAGAIN, an epoll_ctl and a poller wake-up per park.</li>
 * </ul>
 * The acceptor is this worker's thread, on a blocking listener. Each connection's syscalls are
 * counted on its own thread and added to this worker's total when it ends; {@code --read-timeout}
 * sets SO_RCVTIMEO on every accepted socket (seed 000's settimeout). Stop: shutdown(2) on the
 * listener and on every open connection wakes every blocked call.
 *
 * <p>{@code --trace}: one recorder for every thread of the model ({@link SharedRecorder}): the
 * acceptor's track, one per traced connection (under {@code --mode threads} and
 * {@code virtual-threads} each is the calls of that connection's thread), and under
 * {@code --trace-format perfetto} the virtual-thread poller's own track.
 */
public final class BlockingServer extends Worker {
    private final Set<BlockingSession> sessions = ConcurrentHashMap.newKeySet();
    private final SyscallCounters finished = new SyscallCounters();
    private final Semaphore slots;
    private volatile LoopSyscalls acceptor;
    private VirtualThreadPoller poller;
    /** --trace: the record every thread of this model writes to, set before any session starts; else null. */
    volatile SharedRecorder recorder;

    public BlockingServer(int index, Options options, int listenFd) {
        super(index, options, listenFd);
        this.slots = new Semaphore(options.mode() == Mode.THREADS ? options.maxThreads() : Integer.MAX_VALUE);
    }

    boolean virtual() {
        return options.mode() == Mode.VIRTUAL_THREADS;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            tid = Syscalls.gettid();  // not counted: see LoopSyscalls
            if (options.trace() != null) {
                tracer = recorder = new SharedRecorder(SyscallRecorder.create(options.traceFormat(), index, tid, options.traceConnections()));
            }
            acceptor = new LoopSyscalls(arena, recorder, options.syscallLatency());
            try {
                acceptLoop();
            } catch (Throwable t) {
                failure = t;
            } finally {
                endSessions();
                acceptor.close(listenFd);  // inside the arena: the capture segment is still alive
                synchronized (finished) {
                    finished.add(acceptor.counters);
                    if (poller != null) finished.add(poller.counters());
                    result = finished.snapshot();
                }
            }
        } catch (Throwable t) {
            if (failure == null) failure = t;
            if (result == null) result = new SyscallCounters();
        } finally {
            allocatedBytes = currentThreadAllocatedBytes();
            started.countDown();
        }
    }

    private void acceptLoop() throws InterruptedException {
        if (virtual()) poller = VirtualThreadPoller.start(this);
        started.countDown();
        if (options.acceptPauseMs() > 0) Thread.sleep(options.acceptPauseMs());
        int flags = Net.SOCK_CLOEXEC | (virtual() ? Net.SOCK_NONBLOCK : 0);
        while (!stopRequested) {
            slots.acquire();
            int fd = acceptor.accept(listenFd, flags);
            if (fd < 0) {
                slots.release();
                if (stopRequested) break;
                if (fd == -Errno.EMFILE || fd == -Errno.ENFILE || fd == -Errno.ENOBUFS || fd == -Errno.ENOMEM) {
                    Thread.sleep(Worker.ACCEPT_PAUSE_MS);  // never spin on resource exhaustion
                }
                continue;
            }
            synchronized (finished) {
                finished.countAccepted();
            }
            BlockingSession s = new BlockingSession(this, fd);
            sessions.add(s);
            switch (options.mode()) {
                case BLOCKING -> s.run();
                case THREADS -> Thread.ofPlatform().name("edgepoll-conn-" + fd).start(s);
                case VIRTUAL_THREADS -> Thread.ofVirtual().name("edgepoll-vconn-" + fd).start(s);
                case ET, LT, POLL, BUSY_POLL, URING -> throw new IllegalStateException("not a blocking model: " + options.mode());
            }
            if (options.once()) break;
        }
    }

    /** Wakes every open connection and waits (at most 5 s) for their threads to finish. */
    private void endSessions() {
        for (BlockingSession s : sessions) s.interrupt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                break;
            }
        }
        if (poller != null) poller.stop();
    }


    /** Called by a session as it ends: its counters join the total. */
    void finished(BlockingSession s, SyscallCounters c) {
        synchronized (finished) {
            finished.add(c);
            finished.countClosed();
        }
        sessions.remove(s);
        slots.release();
    }

    /**
     * The poller thread's recorder: the shared one for text; for a timeline one of its own, so its
     * long epoll_waits get a track of their own rather than overlapping the acceptor's accept4.
     */
    SyscallRecorder pollerRecorder(int pollerTid) {
        SharedRecorder r = recorder;
        if (r == null || options.traceFormat() != TraceFormat.PERFETTO) return r;
        SharedRecorder own = new SharedRecorder(new PerfettoRecorder(index, pollerTid, "poller" + index, 0));
        r.alsoOutput(own);
        return own;
    }

    VirtualThreadPoller poller() {
        return poller;
    }

    @Override
    public SyscallCounters liveCounters() {
        SyscallCounters done = result;
        if (done != null) return done;
        SyscallCounters sum;
        synchronized (finished) {
            sum = finished.snapshot();
        }
        LoopSyscalls a = acceptor;
        if (a != null) sum.add(a.counters);  // racy reads of monotonic counters: a recent past
        for (BlockingSession s : sessions) s.addCountersTo(sum);
        if (poller != null) sum.add(poller.counters());
        return sum;
    }

    @Override
    public void requestStop(MemorySegment callState) {
        stopRequested = true;
        Syscalls.shutdown(callState, listenFd, Net.SHUT_RDWR);  // a blocked accept4 returns EINVAL
        for (BlockingSession s : sessions) s.interrupt();
    }

    /** Wakes a session blocked in read or send: shutdown makes both return. */
    static void shutdownQuietly(int fd) {
        try (Arena a = Arena.ofConfined()) {
            Syscalls.shutdown(CallState.allocate(a), fd, Net.SHUT_RDWR);
        }
    }
}
