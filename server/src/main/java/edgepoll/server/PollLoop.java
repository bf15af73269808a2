package edgepoll.server;

import edgepoll.sys.Epoll;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.PollFds;
import edgepoll.sys.SyscallException;
import java.lang.foreign.Arena;

/**
 * {@code --mode poll}: the level-triggered loop on poll(2) instead of epoll. Every turn hands the
 * kernel the whole list of fds (listener, wake eventfd, every open connection) and the kernel checks
 * each of them: O(open connections) per call, where epoll_wait is O(ready ones). Interest changes
 * cost no syscall (they only change the next list), so LT's EPOLLOUT toggling is free here.
 * Everything else, one accept and one read per readiness, is {@link LtLoop}'s.
 */
final class PollLoop extends ScanningLoop {
    private Arena arena;
    private PollFds fds;

    PollLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd, wakeFd);
    }

    @Override
    void setUp(Arena arena) {
        this.arena = arena;
        this.fds = new PollFds(arena, 1024);
    }

    @Override
    void awaitAndDispatch(int timeoutMs) throws SyscallException {
        int n = activeCount + 2;
        if (n > fds.capacity()) {
            fds = new PollFds(arena, Math.max(n, fds.capacity() * 2));  // the old array stays in the arena: growth only
        }
        fds.set(0, listenFd, acceptPausedUntil >= 0 ? 0 : Net.POLLIN);
        fds.set(1, wakeFd, Net.POLLIN);
        for (int i = 0; i < activeCount; i++) {
            Connection c = active[i];
            fds.set(i + 2, c.fd, toPoll(c.registered));
        }
        int rc = sys.poll(fds, n, timeoutMs);
        if (rc < 0 && rc != -Errno.EINTR) {
            throw new SyscallException("poll", -rc);
        }
        now();
        if (rc <= 0) return;
        if (fds.revents(0) != 0) onAcceptable();
        // Connections accepted just now were not in this list; the ones here stay at their index
        // until the batch's deferred closes run.
        for (int i = 2; i < n; i++) {
            short re = fds.revents(i);
            if (re == 0) continue;
            Connection c = active[i - 2];
            if (c.state != Connection.CLOSED) onEvent(c, toEpoll(re));
        }
    }

    private static short toPoll(int epollMask) {
        int p = 0;
        if ((epollMask & Epoll.EPOLLIN) != 0) p |= Net.POLLIN;
        if ((epollMask & Epoll.EPOLLOUT) != 0) p |= Net.POLLOUT;
        if ((epollMask & Epoll.EPOLLRDHUP) != 0) p |= Net.POLLRDHUP;
        return (short) p;
    }

    private static int toEpoll(short revents) {
        int e = 0;
        if ((revents & Net.POLLIN) != 0) e |= Epoll.EPOLLIN;
        if ((revents & Net.POLLOUT) != 0) e |= Epoll.EPOLLOUT;
        if ((revents & Net.POLLRDHUP) != 0) e |= Epoll.EPOLLRDHUP;
        if ((revents & Net.POLLHUP) != 0) e |= Epoll.EPOLLHUP;
        if ((revents & (Net.POLLERR | Net.POLLNVAL)) != 0) e |= Epoll.EPOLLERR;
        return e;
    }
}
