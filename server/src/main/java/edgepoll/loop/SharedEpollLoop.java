package edgepoll.loop;

import edgepoll.proto.Protocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.kernel.Token;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import edgepoll.transport.Conn;
import edgepoll.transport.LoopClock;
import edgepoll.worker.FdReserve;
import edgepoll.worker.Worker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One of the {@code --loops} threads of {@code --shared-epoll}: waits on the {@link SharedEpoll}
 * instance with the others and handles whatever event it gets (the man page's pattern for
 * multi-threaded edge-triggered epoll). A small loop of its own, not an {@link EventLoop}: the
 * EventLoop's table, timers and buffer pool are single-threaded by design and stay so. Its
 * connections' bytes move through the same transport as the EventLoop's (read, pump, send,
 * close: {@link edgepoll.transport.SocketTransport}); this class keeps only who owns a connection.
 *
 * <p>Per event for a connection: check the token's generation (a stale event is dropped), take the
 * slot's owner word (a failed take is an owner collision, see SharedEpoll), drain it
 * ({@link SharedEpollTransfer}); give the slot back, and only then re-arm it with epoll_ctl(MOD)
 * (ONESHOT) so the next thread that gets it finds it free.
 *
 * <p>At the fd limit a thread sheds the queue with the process's {@link FdReserve}; if connections
 * may be left (the budget spent, no spare), it accepts again after {@link Worker#ACCEPT_PAUSE_MS}:
 * the listener is edge-triggered, so nothing else would report them before the next arrival.
 *
 * <p>What this mode leaves out (it is an experiment on the wake-up pattern, not a serving mode):
 * idle and header timeouts, the lingering close (a reply that closes is followed by close(2)),
 * --max-connections, --trace, the stats endpoint and live stats (counters are read when the
 * threads ended), and the graceful drain (stop closes every connection at once).
 */
public final class SharedEpollLoop extends Worker {
    private final SharedEpoll group;
    private LoopSyscalls sys;
    private Protocol protocol;
    private EpollEvents ready;
    private EpollEvents ctl;
    private SharedEpollTransfer io;
    /** This thread's clock: the Date of its protocol (no timers: see {@link SharedEpollTransfer}). */
    private final LoopClock clock = new LoopClock();
    /** After EMFILE left connections queued: accept again at this time (ms); -1: no retry due. */
    private long acceptRetryAt = -1;

    public SharedEpollLoop(int index, SharedEpoll group) {
        super(index, group.options, group.listenFd);
        this.group = group;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            sys = new LoopSyscalls(arena, null, options.syscallLatency());  // no --trace here: Options refuses it
            tid = edgepoll.sys.Syscalls.gettid();
            ready = new EpollEvents(arena, options.maxEvents());
            ctl = new EpollEvents(arena, 1);
            // Templates in the shared arena: a body begun by this thread may be sent on by another.
            protocol = Protocol.create(group.arena, options, null, false);
            io = new SharedEpollTransfer(sys, protocol, clock);
            FdReserve.PROCESS.join(sys);
            try {
                started.countDown();
                serve();
            } finally {
                FdReserve.PROCESS.leave(sys);  // while the arena (this thread's syscall state) is open
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            if (sys != null) {
                sys.counters.setCpuNanos(Worker.currentThreadCpuNanos());
                result = sys.counters.snapshot();
            }
            allocatedBytes = currentThreadAllocatedBytes();
            started.countDown();
        }
    }

    private void serve() throws edgepoll.sys.SyscallException {
        while (!group.stopping.get()) {
            // The timeout only bounds how late a stop is seen (the wake fd normally interrupts at
            // once), or when accepting is retried after EMFILE.
            int n = sys.epollWait(group.epfd, ready, ready.capacity(), acceptRetryAt < 0 ? 1_000 : (int) Math.max(0, acceptRetryAt - nowMs()));
            if (n < 0 && n != -Errno.EINTR) throw new edgepoll.sys.SyscallException("epoll_wait (shared)", -n);
            clock.tick(protocol);
            for (int i = 0; i < n; i++) {
                long token = ready.u64(i);
                if (token == Readiness.LISTENER) {
                    sys.counters.countListenerEvent();
                    acceptAll();
                } else if (token != Readiness.WAKE) {
                    onConnection(token);
                }
            }
            if (acceptRetryAt >= 0 && nowMs() >= acceptRetryAt) acceptAll();
        }
    }

    private static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * The listener's edge (or a retry after EMFILE): accept until EAGAIN (another thread may be
     * accepting too). At the fd limit, shed; any failure that may leave connections queued sets a
     * retry, since the edge-triggered listener reports nothing more until the next arrival.
     */
    private void acceptAll() {
        acceptRetryAt = -1;
        boolean first = true;
        while (!group.stopping.get()) {
            int fd = sys.accept(group.listenFd);
            if (fd < 0) {
                if (fd == -Errno.EAGAIN && first) sys.counters.countEmptyAcceptWakeup();
                if (fd == -Errno.EINTR || fd == -Errno.ECONNABORTED) continue;
                boolean emptied = fd == -Errno.EAGAIN
                        || ((fd == -Errno.EMFILE || fd == -Errno.ENFILE) && FdReserve.PROCESS.shed(sys, group.listenFd));
                if (!emptied) acceptRetryAt = nowMs() + Worker.ACCEPT_PAUSE_MS;
                return;
            }
            first = false;
            if (FdReserve.PROCESS.repay(sys, fd) < 0) continue;  // closed to give a spare back
            sys.counters.countAccepted();
            SharedEpoll.Slot s = group.slot(fd);
            if (s == null) {
                sys.close(fd);
                sys.counters.countRejected();
                continue;
            }
            // The previous connection on this number is closed but its owner may not have released
            // the slot yet (close comes first): a window of a few instructions.
            while (!s.owner.compareAndSet(SharedEpoll.NOBODY, SharedEpoll.BUSY)) Thread.onSpinWait();
            int generation = s.open();
            long token = Token.of(fd, generation);
            s.owner.set(SharedEpoll.NOBODY);  // release before registering: the first event may go to any thread
            ctl.set(0, group.interest(false), token);
            if (sys.epollCtl(group.epfd, Epoll.EPOLL_CTL_ADD, fd, ctl.segment()) < 0) {
                if (take(s, generation)) {  // nobody can have an event for it: take succeeds
                    io.closeLater(s, null);
                    s.owner.set(SharedEpoll.NOBODY);
                }
            }
        }
    }

    /** Takes the slot's owner word for a live connection of {@code generation}; false: stale or someone else has it. */
    private boolean take(SharedEpoll.Slot s, int generation) {
        if (s.currentGeneration() != generation) {
            sys.counters.countStaleEvent();
            return false;
        }
        for (;;) {
            int o = s.owner.get();
            if (o == SharedEpoll.NOBODY) {
                if (s.owner.compareAndSet(SharedEpoll.NOBODY, SharedEpoll.BUSY)) return true;
            } else {
                sys.counters.countOwnerCollision();  // two threads on one connection at once: plain EPOLLET only (see SharedEpoll)
                if (o == SharedEpoll.BUSY_AGAIN || s.owner.compareAndSet(SharedEpoll.BUSY, SharedEpoll.BUSY_AGAIN)) return false;
            }
        }
    }

    private void onConnection(long token) {
        int fd = Token.fd(token);
        int generation = Token.generation(token);
        SharedEpoll.Slot s = fd >= 0 && fd < SharedEpoll.CAPACITY ? group.slots.get(fd) : null;
        if (s == null || !take(s, generation)) return;
        boolean open;
        int rearm;
        for (;;) {
            // Whatever the token said, the slot now holds its current connection (accepting needs the
            // owner word too): drain that one, so an edge handed over by BUSY_AGAIN is never lost.
            if (s.state == Conn.OPEN) io.drain(s);
            open = s.state == Conn.OPEN;
            rearm = group.interest(s.outputPending());  // EPOLLET is the sign bit: no -1 sentinel here
            if (s.owner.compareAndSet(SharedEpoll.BUSY, SharedEpoll.NOBODY)) break;
            s.owner.set(SharedEpoll.BUSY);  // BUSY_AGAIN: another thread was told of new input meanwhile
        }
        if (open && group.oneshot) {
            // Released first, then re-armed: the thread that gets the next event finds the slot free
            // (with ONESHOT nobody can have an event for it between the release and the MOD).
            int current = s.currentGeneration();
            ctl.set(0, rearm, Token.of(fd, current));
            if (sys.epollCtl(group.epfd, Epoll.EPOLL_CTL_MOD, fd, ctl.segment()) < 0 && take(s, current)) {
                io.closeLater(s, null);
                s.owner.set(SharedEpoll.NOBODY);
            }
        }
    }

    @Override
    public SyscallCounters liveCounters() {
        SyscallCounters done = result;
        return done != null ? done : new SyscallCounters();  // plain longs of a running thread: not read live
    }

    /** Stops every thread of the group: sets the group's flag and writes the shared wake eventfd once (level-triggered: it wakes every waiter). */
    @Override
    public void requestStop(MemorySegment callState) {
        stopRequested = true;
        if (!group.stopping.compareAndSet(false, true)) return;
        try (Arena a = Arena.ofConfined()) {
            edgepoll.sys.Syscalls.write(edgepoll.sys.CallState.allocate(a), group.wakeFd, a.allocateFrom(ValueLayout.JAVA_LONG, 1L), 8);
        }
    }
}
