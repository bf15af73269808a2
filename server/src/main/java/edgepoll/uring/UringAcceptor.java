package edgepoll.uring;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.Errno;
import edgepoll.transport.LoopClock;
import edgepoll.worker.FdReserve;
import edgepoll.worker.Worker;

/**
 * The listener's side of the uring loop: one multishot accept kept in the ring (re-armed when a CQE
 * comes without F_MORE), paused for {@link Worker#ACCEPT_PAUSE_MS} after EMFILE, ENFILE, ENOBUFS,
 * ENOMEM or an unexpected error (never a spin), cancelled at stop; each accepted fd becomes a
 * connection, or is closed at once at --max-connections.
 *
 * <p>At the fd limit (EMFILE, ENFILE) it sheds as the epoll Acceptor does, with the process's
 * {@link FdReserve}: a spare fd is closed, accept4(2) takes each queued connection and closes it (its
 * client sees a clean close instead of hanging in the backlog), the spare is taken back, and the
 * accept is re-armed as soon as one of this loop's connections' close completes, else after the
 * pause. Each fd the multishot accept brings is offered to {@link FdReserve#repay} first: the kernel
 * may have taken it from another loop's shed. Owned by the loop thread; holds one spare in the
 * reserve while it runs.
 */
final class UringAcceptor {
    /** {@link #pausedUntil} while stopping: never accept again. */
    private static final long STOPPED = Long.MAX_VALUE;

    private final LoopSyscalls sys;
    private final Submissions sq;
    private final UringSlots slots;
    private final UringTransfer transfer;
    private final LoopClock clock;
    private final CqeTrace trace;
    private final int listenFd;
    private final int maxConnections;
    private boolean armed, cancelling;
    /** Accept nothing before this (loop ms); -1: not paused; {@link #STOPPED}: stopping. */
    private long pausedUntil = -1;
    /** The process's spare fds, given up at EMFILE so accept4 can take and shed queued connections. */
    private final FdReserve reserve = FdReserve.PROCESS;
    /** Paused because fds ran out: the next close re-arms the accept. */
    private boolean pausedForFds;

    UringAcceptor(LoopSyscalls sys, Submissions sq, UringSlots slots, UringTransfer transfer, LoopClock clock,
            CqeTrace trace, int listenFd, int maxConnections) {
        this.sys = sys;
        this.sq = sq;
        this.slots = slots;
        this.transfer = transfer;
        this.clock = clock;
        this.trace = trace;
        this.listenFd = listenFd;
        this.maxConnections = maxConnections;
    }

    /** Adds this loop's spare to the reserve (at start, on the loop thread). */
    void start() {
        reserve.join(sys);
    }

    /** --accept-pause: accept nothing for the first {@code ms}. */
    void pauseFor(long ms) {
        pausedUntil = clock.nowMs + ms;
    }

    /** Before the enter: ends a pause that is over and arms the accept when it is not in the ring. */
    void prepare() {
        if (pausedUntil >= 0 && pausedUntil != STOPPED && clock.nowMs >= pausedUntil) {
            pausedUntil = -1;
            pausedForFds = false;
            reserve.retake(sys);  // a spare lost to a JVM thread may be free again
        }
        if (!armed && !cancelling && pausedUntil < 0) {
            sq.acceptMultishot(listenFd);
            armed = true;
        }
    }

    /** Whether the accept is still in the ring (stop waits for its last CQE). */
    boolean armed() {
        return armed;
    }

    /** Milliseconds until a pause ends, or -1 when not paused. */
    long untilPauseEndsMs() {
        return pausedUntil >= 0 && pausedUntil != STOPPED ? Math.max(0, pausedUntil - clock.nowMs) : -1;
    }

    void onCompletion(int res, boolean more) {
        if (!more) {
            armed = false;
            cancelling = false;
        }
        if (res >= 0) {
            if (pausedUntil == STOPPED) {  // stopping: a connection that raced the cancel
                sys.close(res);
                return;
            }
            opened(res);
            return;
        }
        int e = -res;
        if (e == Errno.ECANCELED || e == Errno.EINTR || e == Errno.ECONNABORTED || e == Errno.EPROTO || e == Errno.EPERM) return;
        if (e == Errno.EMFILE || e == Errno.ENFILE) {
            reserve.shed(sys, listenFd);
            pausedForFds = true;
        }
        // EMFILE, ENFILE, ENOBUFS, ENOMEM or anything unexpected: pause, never spin.
        if (pausedUntil < 0) pausedUntil = clock.nowMs + Worker.ACCEPT_PAUSE_MS;
        cancel();
    }

    /** A connection's fd was closed: after EMFILE, accept again at the next turn instead of after the pause. */
    void fdFreed() {
        if (!pausedForFds) return;
        pausedForFds = false;
        reserve.retake(sys);
        if (pausedUntil != STOPPED) pausedUntil = -1;
    }

    /** At the loop's end: takes this loop's spare out of the reserve. */
    void close() {
        reserve.leave(sys);
    }

    /** Stop: accept nothing more, and take the accept out of the ring. */
    void stop() {
        pausedUntil = STOPPED;
        cancel();
    }

    private void cancel() {
        if (!armed || cancelling) return;
        sq.cancelAccept();
        cancelling = true;
    }

    private void opened(int fd) {
        if (reserve.repay(sys, fd) < 0) return;  // closed to give a spare back
        if (maxConnections > 0 && slots.open() >= maxConnections) {
            sys.close(fd);
            sys.counters.countRejected();
            return;
        }
        UringConnection c = slots.open(fd);
        sys.counters.countAccepted();
        if (trace != null) trace.accepted(listenFd, c);
        transfer.start(c);
    }
}
