package edgepoll.loop;

import edgepoll.proto.Protocol;
import edgepoll.stats.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.Token;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import edgepoll.worker.Worker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One of the {@code --loops} threads of {@code --shared-epoll}: waits on the {@link SharedEpoll}
 * instance with the others and handles whatever event it gets (the man page's pattern for
 * multi-threaded edge-triggered epoll). A small loop of its own, not an {@link EventLoop}: the
 * EventLoop's table, timers and buffer pool are single-threaded by design and stay so.
 *
 * <p>Per event for a connection: check the token's generation (a stale event is dropped), take the
 * slot's owner word (a failed take is an owner collision, see SharedEpoll), drain: send what is
 * pending, read until EAGAIN, answer, send; give the slot back, and only then re-arm it with
 * epoll_ctl(MOD) (ONESHOT) so the next thread that gets it finds it free.
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
    private long second;

    public SharedEpollLoop(int index, SharedEpoll group) {
        super(index, group.options, group.listenFd);
        this.group = group;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            sys = new LoopSyscalls(arena, null);
            tid = edgepoll.sys.Syscalls.gettid();
            ready = new EpollEvents(arena, options.maxEvents());
            ctl = new EpollEvents(arena, 1);
            // Templates in the shared arena: a body begun by this thread may be sent on by another.
            protocol = Protocol.create(group.arena, options, null, false);
            started.countDown();
            while (!group.stopping.get()) {
                // The timeout only bounds how late a stop is seen; the wake fd normally interrupts at once.
                int n = sys.epollWait(group.epfd, ready, ready.capacity(), 1_000);
                if (n < 0 && n != -Errno.EINTR) throw new edgepoll.sys.SyscallException("epoll_wait (shared)", -n);
                tick();
                for (int i = 0; i < n; i++) {
                    long token = ready.u64(i);
                    if (token == Readiness.LISTENER) acceptAll();
                    else if (token != Readiness.WAKE) onConnection(token);
                }
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

    private void tick() {
        long s = System.currentTimeMillis() / 1000;
        if (s != second) {
            second = s;
            protocol.tick(s);
        }
    }

    /** The listener's edge: accept until EAGAIN (another thread may be accepting too). */
    private void acceptAll() {
        sys.counters.countListenerEvent();
        boolean first = true;
        while (!group.stopping.get()) {
            int fd = sys.accept(group.listenFd);
            if (fd < 0) {
                if (fd == -Errno.EAGAIN && first) sys.counters.countEmptyAcceptWakeup();
                if (fd == -Errno.EAGAIN || (fd != -Errno.EINTR && fd != -Errno.ECONNABORTED)) return;
                continue;
            }
            first = false;
            sys.counters.countAccepted();
            SharedEpoll.Slot s = group.slot(fd);
            if (s == null) {
                sys.close(fd);
                sys.counters.countRejected();
                continue;
            }
            // The previous connection on this number is closed but its owner may not have released
            // the slot yet (close comes first): a window of a few instructions.
            while (!s.owner.compareAndSet(SharedEpoll.FREE, SharedEpoll.BUSY)) Thread.onSpinWait();
            s.resetBytes();
            s.closeAfterFlush = false;
            s.exchanges = 0;
            s.open = true;
            int generation = s.generation + 1;
            s.generation = generation;
            long token = Token.of(fd, generation);
            s.owner.set(SharedEpoll.FREE);  // release before registering: the first event may go to any thread
            ctl.set(0, group.interest(false), token);
            if (sys.epollCtl(group.epfd, Epoll.EPOLL_CTL_ADD, fd, ctl.segment()) < 0) {
                if (take(s, generation)) {  // nobody can have an event for it: take succeeds
                    closeOwned(s);
                    s.owner.set(SharedEpoll.FREE);
                }
            }
        }
    }

    /** Takes the slot's owner word for a live connection of {@code generation}; false: stale or someone else has it. */
    private boolean take(SharedEpoll.Slot s, int generation) {
        if (s.generation != generation) {
            sys.counters.countStaleEvent();
            return false;
        }
        for (;;) {
            int o = s.owner.get();
            if (o == SharedEpoll.FREE) {
                if (s.owner.compareAndSet(SharedEpoll.FREE, SharedEpoll.BUSY)) return true;
            } else {
                sys.counters.countOwnerCollision();  // two threads on one connection at once: ONESHOT prevents this
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
            if (s.open) drain(s);
            open = s.open;
            rearm = group.interest(s.outputPending());  // EPOLLET is the sign bit: no -1 sentinel here
            if (s.owner.compareAndSet(SharedEpoll.BUSY, SharedEpoll.FREE)) break;
            s.owner.set(SharedEpoll.BUSY);  // BUSY_AGAIN: another thread was told of new input meanwhile
        }
        if (open && group.oneshot) {
            // Released first, then re-armed: the thread that gets the next event finds the slot free
            // (with ONESHOT nobody can have an event for it between the release and the MOD).
            ctl.set(0, rearm, Token.of(fd, s.generation));
            if (sys.epollCtl(group.epfd, Epoll.EPOLL_CTL_MOD, fd, ctl.segment()) < 0 && take(s, s.generation)) {
                closeOwned(s);
                s.owner.set(SharedEpoll.FREE);
            }
        }
    }

    /** Owned: send what waits, read until EAGAIN answering as it comes, send again. */
    private void drain(SharedEpoll.Slot s) {
        if (s.outputPending() && !flush(s)) return;
        for (;;) {
            if (s.outputPending()) return;  // backpressure: wait for EPOLLOUT before reading more
            compact(s);
            if (s.inLen == s.in.byteSize()) return;  // full and unanswerable: the protocol answers before this (431)
            long n = sys.read(s.fd, s.in, s.inLen, s.in.byteSize() - s.inLen);
            if (n > 0) {
                s.inLen += (int) n;
                sys.counters.addRequests(protocol.process(s));
                if (!flush(s)) return;
                if (s.closeAfterFlush && !s.outputPending()) {
                    closeOwned(s);
                    return;
                }
            } else if (n == 0 || (n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                closeOwned(s);  // EOF or error: what is queued for a gone peer is dropped
                return;
            } else if (n == -Errno.EAGAIN) {
                return;
            }
        }
    }

    private static void compact(SharedEpoll.Slot s) {
        if (s.inPos == 0) return;
        int left = s.inLen - s.inPos;
        if (left > 0) MemorySegment.copy(s.in, s.inPos, s.in, 0, left);
        s.inPos = 0;
        s.inLen = left;
    }

    /** Sends queued replies (and answers buffered requests as room frees); false if the connection closed. */
    private boolean flush(SharedEpoll.Slot s) {
        while (s.outputPending()) {
            long n;
            if (s.outPos < s.outLen) {
                n = sys.send(s.fd, s.out, s.outPos, s.outLen - s.outPos);
                if (n > 0) s.outPos += (int) n;
            } else {
                n = sys.send(s.fd, s.body, s.bodySent, s.bodyLength - s.bodySent);
                if (n > 0) s.bodySent += n;
            }
            if (n == -Errno.EAGAIN) return true;
            if (n < 0 && n != -Errno.EINTR) {
                closeOwned(s);
                return false;
            }
            if (!s.outputPending()) {
                s.outPos = s.outLen = 0;
                s.bodySent = s.bodyLength = 0;
                s.body = null;
                if (s.buffered() > 0 && !s.closeAfterFlush) sys.counters.addRequests(protocol.process(s));
            }
        }
        if (s.closeAfterFlush) {
            closeOwned(s);
            return false;
        }
        return true;
    }

    /** Owned: close(2) (which also removes it from the epoll instance) and mark the slot closed. */
    private void closeOwned(SharedEpoll.Slot s) {
        if (!s.open) return;
        s.open = false;
        s.resetBytes();
        sys.close(s.fd);
        sys.counters.countClosed();
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
