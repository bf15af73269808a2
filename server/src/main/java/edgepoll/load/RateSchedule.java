package edgepoll.load;

import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.sys.TimerSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The open loop of one generator thread: its request number k is due at {@code start + k × interval}
 * and belongs to connection {@code k mod n} (so each connection gets an equal share at its own
 * steady pace, as in wrk2). A timerfd, edge-triggered in the thread's epoll set and never read (each
 * expiry is one edge; Netty does the same), wakes the thread when the next request is due: epoll_wait
 * counts in milliseconds and would bunch requests up.
 *
 * <p>Owns the timerfd ({@link #close}) and its itimerspec, from the thread's arena.
 */
final class RateSchedule {
    private final double intervalNs;
    private final int connections;
    private final MemorySegment cs;
    private final MemorySegment spec;
    private final int timerFd;
    private long start;
    /** Requests dealt to connections so far. */
    private long issued;
    private long armedFor = Long.MIN_VALUE;

    /** @param tag the epoll data that marks the timer's events */
    RateSchedule(Arena arena, MemorySegment cs, int epfd, EpollEvents ctl, long tag, double ratePerSecond, int connections)
            throws SyscallException {
        this.intervalNs = 1e9 / ratePerSecond;
        this.connections = connections;
        this.cs = cs;
        this.spec = TimerSpec.allocate(arena);
        this.timerFd = SyscallException.check("timerfd_create",
                Syscalls.timerfdCreate(cs, Net.CLOCK_MONOTONIC, Net.TFD_NONBLOCK | Net.TFD_CLOEXEC));
        ctl.set(0, Epoll.EPOLLIN | Epoll.EPOLLET, tag);
        int rc = Syscalls.epollCtl(cs, epfd, Epoll.EPOLL_CTL_ADD, timerFd, ctl.segment());
        if (rc < 0) {
            Syscalls.close(cs, timerFd);
            throw new SyscallException("epoll_ctl(ADD, timerfd)", -rc);
        }
    }

    void start(long now) {
        start = now;
    }

    /** When connection {@code c}'s request number m (its m-th since the start) was due. */
    long due(LoadConnection c, long m) {
        return due(m * connections + c.index);
    }

    private long due(long k) {
        return start + (long) (k * intervalNs);
    }

    /**
     * Deals every request due by {@code now} to its connection ({@link LoadConnection#assigned}) and
     * arms the timer for the next one; returns the first request number dealt (they run up to
     * {@link #issued()}).
     */
    long deal(long now, LoadConnection[] conns) {
        long from = issued;
        while (due(issued) <= now) {
            conns[(int) (issued % connections)].assigned++;
            issued++;
        }
        long next = due(issued);
        if (next != armedFor) {
            armedFor = next;
            TimerSpec.setOneShot(spec, Math.max(1, next - now));
            Syscalls.timerfdSettime(cs, timerFd, 0, spec, MemorySegment.NULL);
        }
        return from;
    }

    long issued() {
        return issued;
    }

    void close() {
        Syscalls.close(cs, timerFd);
    }
}
