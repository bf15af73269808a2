package edgepoll.loop;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.Epoll;
import edgepoll.sys.Net;
import edgepoll.sys.PollFds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The poll(2) backend ({@code --mode poll}): every wait hands the kernel the whole {@code pollfd}
 * list (wake eventfd, listener, every open connection) and the kernel checks each entry: O(open
 * connections) per call where epoll_wait is O(ready ones). Interest changes cost no syscall, they
 * only change the list kept here (an {@link Interests} with the {@code pollfd} array beside it,
 * in the same order). poll is level-triggered, so the wake eventfd is read once it fires.
 *
 * <p>The pollfd array comes from the loop's arena and only grows (an old array stays in the arena
 * until the loop ends).
 */
final class PollReadiness implements Readiness {
    private final Arena arena;
    private final LoopSyscalls sys;
    private final int wakeFd;
    private final MemorySegment wakeCount;
    private final Interests list = new Interests(this::moved);
    private PollFds fds;
    private long[] firedToken = new long[256];
    private int[] firedEvents = new int[256];

    PollReadiness(Arena arena, LoopSyscalls sys, int wakeFd) {
        this.arena = arena;
        this.sys = sys;
        this.wakeFd = wakeFd;
        this.wakeCount = arena.allocate(8);
        this.fds = new PollFds(arena, 1024);
        add(wakeFd, Interest.IN, WAKE);
    }

    @Override
    public int add(int fd, Interest interest, long token) {
        int i = list.add(fd, interest.bits, token);
        if (i >= fds.capacity()) {
            PollFds bigger = new PollFds(arena, fds.capacity() * 2);
            MemorySegment.copy(fds.segment(), 0, bigger.segment(), 0, fds.segment().byteSize());
            fds = bigger;
        }
        fds.set(i, fd, toPoll(interest.bits));
        return 0;
    }

    @Override
    public int modify(int fd, Interest interest, long token) {
        fds.set(list.set(fd, interest.bits, token), fd, toPoll(interest.bits));
        return 0;
    }

    @Override
    public int mute(int fd, long token) {
        fds.set(list.set(fd, 0, token), fd, (short) 0);
        return 0;
    }

    @Override
    public int unwatch(int fd) {
        list.remove(fd);
        return 0;
    }

    private void moved(int from, int to) {
        fds.set(to, list.fd[to], toPoll(list.interest[to]));
    }

    @Override
    public int await(int timeoutMs) {
        int n = list.count;
        int rc = sys.poll(fds, n, timeoutMs);
        if (rc <= 0) return rc;
        if (firedToken.length < rc) {
            firedToken = new long[Math.max(rc, firedToken.length * 2)];
            firedEvents = new int[firedToken.length];
        }
        int fired = 0;
        for (int i = 0; i < n && fired < rc; i++) {
            short re = fds.revents(i);
            if (re == 0) continue;
            if (list.fd[i] == wakeFd) sys.readCounter(wakeFd, wakeCount);  // level-triggered: consume the wake
            firedToken[fired] = list.token[i];
            firedEvents[fired++] = toEpoll(re);
        }
        return fired;
    }

    @Override
    public long token(int i) {
        return firedToken[i];
    }

    @Override
    public int events(int i) {
        return firedEvents[i];
    }

    @Override
    public void close() {}

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
