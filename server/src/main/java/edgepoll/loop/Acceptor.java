package edgepoll.loop;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.Errno;
import edgepoll.transport.LoopClock;
import edgepoll.worker.FdReserve;
import edgepoll.worker.Worker;

/**
 * Taking connections off the listener: one accept4, what its errors mean (accept(2): retry the
 * transient ones, pause on resource exhaustion, never spin), shedding at the fd limit, and the
 * pause itself. The drain policy decides how many accepts one readiness gets. Owned by the loop
 * thread; holds one spare in the process's {@link FdReserve} while it runs and, unless the listener
 * is shared ({@code --listener shared|exclusive}: the Server closes it after every loop ended), owns
 * the listener fd (closed by {@link #close()}).
 *
 * <p>It also counts the herd (docs/many-loops.md): each listener event, and each one whose first
 * accept4 found the queue empty because another loop took the connection.
 */
final class Acceptor {
    private final LoopSyscalls sys;
    private final Readiness readiness;
    private final LoopClock clock;
    final int listenFd;
    /** Level-triggered: a paused listener is muted (one epoll_ctl), or every wait would report it. */
    private final boolean levelTriggered;
    /** --listener exclusive: registered EPOLLEXCLUSIVE, which epoll_ctl(MOD) refuses (EINVAL): pausing is DEL, resuming ADD. */
    private final boolean exclusive;
    /** False for a shared listener: the Server closes it after every loop ended. */
    private final boolean ownsListener;
    /** The next accept4 is the first after a listener event (its EAGAIN is a wasted wake-up). */
    private boolean afterEvent;
    /** The process's spare fds, given up at EMFILE so accept4 can take and shed queued connections. */
    private final FdReserve reserve = FdReserve.PROCESS;
    /**
     * Paused because the process is out of fds: resumed when one of this loop's connections closes
     * (another loop's close does not reach it), else when the pause ends.
     */
    private boolean pausedForFds;
    /** Accept nothing before this (loop ms); -1: not paused; Long.MAX_VALUE: never again (stopping). */
    private long pausedUntil = -1;

    Acceptor(LoopSyscalls sys, Readiness readiness, LoopClock clock, int listenFd, boolean levelTriggered,
             boolean exclusive, boolean ownsListener) {
        this.exclusive = exclusive;
        this.ownsListener = ownsListener;
        this.sys = sys;
        this.readiness = readiness;
        this.clock = clock;
        this.listenFd = listenFd;
        this.levelTriggered = levelTriggered;
    }

    /** Registers the listener and adds this loop's spare to the reserve; 0 or -errno. */
    int start(long pauseMs) {
        reserve.join(sys);
        int rc = readiness.add(listenFd, listenerInterest(), Readiness.LISTENER);
        if (rc == 0 && pauseMs > 0) pause(pauseMs);
        return rc;
    }

    private Interest listenerInterest() {
        return exclusive ? Interest.IN_EXCLUSIVE : Interest.IN;
    }

    /** The loop got a listener event; the policy's accepts follow, then {@link #listenerEventHandled()}. */
    void onListenerEvent() {
        sys.counters.countListenerEvent();
        afterEvent = true;
    }

    void listenerEventHandled() {
        afterEvent = false;
    }

    boolean paused() {
        return pausedUntil >= 0;
    }

    /** Milliseconds until the pause ends, or -1 when not paused. */
    long pauseRemaining() {
        return pausedUntil < 0 ? -1 : Math.max(0, pausedUntil - clock.nowMs);
    }

    /** Whether a pause just ran out (then accepting resumes: the caller drains the listener). */
    boolean pauseOver() {
        if (pausedUntil < 0 || clock.nowMs < pausedUntil) return false;
        pausedForFds = false;
        reserve.retake(sys);  // a spare lost to a JVM thread may be free again
        resume();
        return true;
    }

    /**
     * One of this loop's connections closed: if it was paused for fds, accept again now, not after
     * the pause. Returns whether it resumed. A stopping loop stays stopped.
     */
    boolean fdsFreed() {
        if (!pausedForFds || pausedUntil == Long.MAX_VALUE) return false;
        pausedForFds = false;
        reserve.retake(sys);
        resume();
        return true;
    }

    /**
     * Stopping: accept nothing more; connections still queued are reset when the listener closes.
     * Under LT (lt, poll, busy-poll) the listener is muted as for a pause (one
     * epoll_ctl, or none if already paused): left on, one client queued after the stop made every
     * 10 ms wait of the drain return at once, about 200,000 waits in its second.
     */
    void stopAccepting() {
        if (pausedUntil < 0 && levelTriggered) listenerOff();
        pausedUntil = Long.MAX_VALUE;
    }

    private void pause(long ms) {
        if (pausedUntil < 0 && levelTriggered) listenerOff();
        pausedUntil = clock.nowMs + ms;
    }

    private void listenerOff() {
        if (exclusive) readiness.unwatch(listenFd);
        else readiness.mute(listenFd, Readiness.LISTENER);
    }

    private void resume() {
        pausedUntil = -1;
        if (levelTriggered) {
            if (exclusive) readiness.add(listenFd, listenerInterest(), Readiness.LISTENER);
            else readiness.modify(listenFd, Interest.IN, Readiness.LISTENER);
        }
    }

    /**
     * One accept4. Returns the new fd (≥ 0), or -1 when accepting should stop for this readiness:
     * EAGAIN (the queue is empty) or a failure that paused accepting. Transient errors return -2:
     * try again.
     */
    int acceptOne() {
        int fd = sys.accept(listenFd);
        boolean first = afterEvent;
        afterEvent = false;
        if (fd >= 0) return reserve.repay(sys, fd) >= 0 ? fd : -2;  // -2: it was closed to give a spare back
        int e = -fd;
        if (e == Errno.EAGAIN) {
            if (first) sys.counters.countEmptyAcceptWakeup();
            return -1;
        }
        if (e == Errno.EINTR || e == Errno.ECONNABORTED || e == Errno.EPROTO || e == Errno.EPERM) return -2;
        if (e == Errno.EMFILE || e == Errno.ENFILE) {
            reserve.shed(sys, listenFd);
            pausedForFds = true;
        }
        // EMFILE, ENFILE, ENOBUFS, ENOMEM, or anything unexpected: retry after a pause, never spin.
        // Under ET this also keeps the listener's edge: the retry after the pause (or after the
        // first close of this loop's own, for EMFILE) drains, or sheds, what arrived meanwhile.
        pause(Worker.ACCEPT_PAUSE_MS);
        return -1;
    }

    void close() {
        if (ownsListener) sys.close(listenFd);
        reserve.leave(sys);
    }
}
