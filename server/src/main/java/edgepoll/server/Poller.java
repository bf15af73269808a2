package edgepoll.server;

import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.SyscallException;
import java.lang.foreign.Arena;

/**
 * One epoll instance: the only class that calls epoll_ctl and epoll_wait.
 *
 * <p>Owns the epoll fd (closed by {@link #close()}) and, from the loop's confined arena, the
 * {@code epoll_event[maxEvents]} array epoll_wait fills and the one-element array epoll_ctl reads.
 * Each registration carries {@code data.u64 = fd | (long) generation << 32} (see {@link Connection}),
 * so an event for a connection that was closed and whose fd number came back is recognised.
 * {@link #modify} skips epoll_ctl when the mask is unchanged: the caller's cached mask is the
 * kernel's (Netty {@code setFlag}, JDK {@code processUpdateQueue} do the same).
 */
final class Poller implements AutoCloseable {
    final int epfd;
    final EpollEvents ready;
    private final EpollEvents ctl;
    private final LoopSyscalls sys;

    Poller(Arena arena, LoopSyscalls sys, int maxEvents) throws SyscallException {
        this.sys = sys;
        this.ready = new EpollEvents(arena, maxEvents);
        this.ctl = new EpollEvents(arena, 1);
        this.epfd = SyscallException.check("epoll_create1(EPOLL_CLOEXEC)", sys.epollCreate1());
    }

    static long tag(int fd, int generation) {
        return (fd & 0xFFFF_FFFFL) | ((long) generation << 32);
    }

    static int fdOf(long tag) {
        return (int) tag;
    }

    static int generationOf(long tag) {
        return (int) (tag >>> 32);
    }

    /** EPOLL_CTL_ADD; returns 0 or -errno. */
    int add(int fd, int events, long tag) {
        ctl.set(0, events, tag);
        return sys.epollCtl(epfd, Epoll.EPOLL_CTL_ADD, fd, ctl.segment());
    }

    /** EPOLL_CTL_MOD unless {@code c.registered == events}; returns 0 or -errno. */
    int modify(Connection c, int events) {
        if (c.registered == events) {
            return 0;
        }
        ctl.set(0, events, tag(c.fd, c.generation));
        int rc = sys.epollCtl(epfd, Epoll.EPOLL_CTL_MOD, c.fd, ctl.segment());
        if (rc == 0) {
            c.registered = events;
        }
        return rc;
    }

    /** epoll_wait into {@link #ready}; returns the event count or -errno (EINTR is the caller's to retry). */
    int await(int timeoutMs) {
        return sys.epollWait(epfd, ready, ready.capacity(), timeoutMs);
    }

    @Override
    public void close() {
        sys.close(epfd);
    }

    /** Mask for an LT connection: input interest, or only output while replies wait to be sent. */
    static int ltMask(boolean outputPending) {
        return outputPending ? Epoll.EPOLLOUT : Epoll.EPOLLIN | Epoll.EPOLLRDHUP;
    }

    /** Mask for an ET connection, registered once: see EtLoop for why EPOLLOUT is always in it. */
    static final int ET_MASK = Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET;
}
