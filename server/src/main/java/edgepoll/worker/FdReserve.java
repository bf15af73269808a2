package edgepoll.worker;

import edgepoll.stats.LoopSyscalls;
import edgepoll.sys.Net;

/**
 * The spare fd of libuv's EMFILE trick (libev calls it "accept when you can't"), one per loop: an
 * eventfd taken at start; at the fd limit with connections queued it is closed so each accept4 gets
 * an fd, what accept4 returns is closed at once (the client sees a clean close instead of hanging in
 * the backlog) until the queue is empty or the budget is spent, and the reserve is taken back. Shared
 * by the epoll loops' Acceptor and the io_uring loop's, which differ only in when they call it.
 * Owned by the loop thread, with its fd; every call goes through the loop's LoopSyscalls (counted).
 */
public final class FdReserve {
    /** Most queued connections shed in one go, so a flood cannot hold the loop. */
    public static final int SHED_BUDGET = 1024;

    private final LoopSyscalls sys;
    private int fd = -1;

    public FdReserve(LoopSyscalls sys) {
        this.sys = sys;
    }

    /**
     * Takes the reserve fd: at the loop's start, and again whenever fds come free after EMFILE,
     * because {@link #shed} can lose it: between its last close and its eventfd another thread of
     * the process (the JVM's own: class loading, the JIT, a /proc read) may take the one free fd.
     * A no-op (no syscall) while the reserve is held.
     */
    public void take() {
        if (fd < 0) fd = sys.eventfd(Net.EFD_CLOEXEC);
    }

    /** Out of fds: gives the reserve up, sheds what is queued on {@code listenFd}, takes the reserve back. */
    public void shed(int listenFd) {
        if (fd < 0) return;
        sys.close(fd);
        fd = -1;
        for (int k = 0; k < SHED_BUDGET; k++) {
            int c = sys.accept(listenFd);  // non-blocking listener: EAGAIN (or any error) ends it
            if (c < 0) break;
            sys.close(c);
            sys.counters.countShed();
        }
        fd = sys.eventfd(Net.EFD_CLOEXEC);
    }

    /** At the loop's end: gives the reserve fd back. */
    public void close() {
        if (fd >= 0) sys.close(fd);
        fd = -1;
    }
}
