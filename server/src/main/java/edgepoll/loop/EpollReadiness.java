package edgepoll.loop;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.SyscallException;
import java.lang.foreign.Arena;

/**
 * The epoll backend: one epoll instance, the loop's only epoll_create1, epoll_ctl and epoll_wait
 * (the virtual-thread model has its own instance, see edgepoll.model.VirtualThreadPoller).
 * Registered edge-triggered ({@code EPOLLET} added to every interest: the ET drain policies need it)
 * or level-triggered (the LT policy), one backend either way: the trigger is a bit of the
 * registration, not another API.
 *
 * <p>Owns the epoll fd (closed by {@link #close()}) and, from the loop's confined arena, the
 * {@code epoll_event[maxEvents]} array epoll_wait fills and the one-element array epoll_ctl reads.
 * The fired list is the kernel's array itself: nothing is copied.
 *
 * <p>The wake eventfd is registered {@code EPOLLIN|EPOLLET} in both triggers, as Netty does: each
 * write is one edge, reported once, so the counter never needs reading and a stop request cannot
 * make every later epoll_wait return at once (it did when the eventfd was level-triggered and never
 * read: the stopping loop spun for its whole drain).
 */
final class EpollReadiness implements Readiness {
    private final LoopSyscalls sys;
    private final int epfd;
    private final int trigger;
    private final EpollEvents ready;
    private final EpollEvents ctl;

    EpollReadiness(Arena arena, LoopSyscalls sys, boolean edgeTriggered, int maxEvents, int wakeFd) throws SyscallException {
        this.sys = sys;
        this.trigger = edgeTriggered ? Epoll.EPOLLET : 0;
        this.ready = new EpollEvents(arena, maxEvents);
        this.ctl = new EpollEvents(arena, 1);
        this.epfd = SyscallException.check("epoll_create1(EPOLL_CLOEXEC)", sys.epollCreate1());
        ctl.set(0, Epoll.EPOLLIN | Epoll.EPOLLET, WAKE);
        SyscallException.check("epoll_ctl(ADD, eventfd)", sys.epollCtl(epfd, Epoll.EPOLL_CTL_ADD, wakeFd, ctl.segment()));
    }

    @Override
    public int add(int fd, Interest interest, long token) {
        ctl.set(0, interest.bits | trigger, token);
        return sys.epollCtl(epfd, Epoll.EPOLL_CTL_ADD, fd, ctl.segment());
    }

    @Override
    public int modify(int fd, Interest interest, long token) {
        ctl.set(0, interest.bits | trigger, token);
        return sys.epollCtl(epfd, Epoll.EPOLL_CTL_MOD, fd, ctl.segment());
    }

    @Override
    public int mute(int fd, long token) {
        ctl.set(0, trigger, token);
        return sys.epollCtl(epfd, Epoll.EPOLL_CTL_MOD, fd, ctl.segment());
    }

    @Override
    public int unwatch(int fd) {
        return sys.epollCtl(epfd, Epoll.EPOLL_CTL_DEL, fd, ctl.segment());
    }

    /** No syscall: the close that follows removes the fd from the interest list (it has no dup). */
    @Override
    public void forgetBeforeClose(int fd) {}

    @Override
    public int await(int timeoutMs) {
        return sys.epollWait(epfd, ready, ready.capacity(), timeoutMs);
    }

    @Override
    public long token(int i) {
        return ready.u64(i);
    }

    @Override
    public int events(int i) {
        return ready.events(i);
    }

    @Override
    public void close() {
        sys.close(epfd);
    }
}
