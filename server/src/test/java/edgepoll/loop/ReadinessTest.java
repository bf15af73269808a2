package edgepoll.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.Sys;
import edgepoll.sys.CallState;
import edgepoll.sys.Epoll;
import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Readiness} verbs keep the same contract in every backend (epoll edge- and
 * level-triggered, poll, the busy sweep), on a real eventfd whose count makes it readable: a muted
 * fd is not reported until modify gives it an interest again, an unwatched one until it is added
 * again, a forgotten-then-closed one never; and forgetting costs epoll no syscall (the close does
 * the removal) while unwatching costs it exactly one epoll_ctl(DEL).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadinessTest {
    private static final long TOKEN = 7;

    private interface Backend {
        Readiness make(Arena arena, LoopSyscalls sys, int wakeFd) throws SyscallException;
    }

    @Test
    void everyBackendKeepsTheContract() throws SyscallException {
        check("epoll ET", (a, s, w) -> new EpollReadiness(a, s, true, 16, w), true);
        check("epoll LT", (a, s, w) -> new EpollReadiness(a, s, false, 16, w), true);
        check("poll", PollReadiness::new, false);
        check("busy sweep", (a, s, w) -> new BusySweep(0), false);
    }

    @Test
    void noInterestIsEmpty() {
        for (Interest i : Interest.values()) assertNotEquals(0, i.bits, i.name());
        assertEquals(Epoll.EPOLLIN | Epoll.EPOLLRDHUP, Interest.IN_RDHUP.bits);
    }

    private static void check(String name, Backend backend, boolean epoll) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            LoopSyscalls sys = new LoopSyscalls(arena, null);
            MemorySegment cs = CallState.allocate(arena);
            int wake = SyscallException.check("eventfd", Syscalls.eventfd(cs, 0, Net.EFD_NONBLOCK | Net.EFD_CLOEXEC));
            int fd = SyscallException.check("eventfd", Syscalls.eventfd(cs, 1, Net.EFD_NONBLOCK | Net.EFD_CLOEXEC));
            Readiness r = backend.make(arena, sys, wake);
            try {
                assertEquals(0, r.add(fd, Interest.IN, TOKEN));
                assertTrue(reported(r), name + ": a readable fd, added, is reported");
                assertEquals(0, r.mute(fd, TOKEN));
                assertFalse(reported(r), name + ": muted, it is not");
                assertEquals(0, r.modify(fd, Interest.IN, TOKEN));
                assertTrue(reported(r), name + ": given an interest again, it is");

                long dels = sys.counters.calls(Sys.EPOLL_CTL_DEL);
                assertEquals(0, r.unwatch(fd));
                assertEquals(epoll ? dels + 1 : dels, sys.counters.calls(Sys.EPOLL_CTL_DEL), name + ": unwatch is one DEL under epoll");
                assertFalse(reported(r), name + ": unwatched, it is not");
                assertEquals(0, r.add(fd, Interest.IN, TOKEN));
                assertTrue(reported(r), name + ": added again, it is");

                long calls = ctlCalls(sys);
                r.forgetBeforeClose(fd);
                assertEquals(calls, ctlCalls(sys), name + ": forgetting makes no epoll_ctl");
                Syscalls.close(cs, fd);
                fd = -1;
                assertFalse(reported(r), name + ": forgotten and closed, it is never reported (poll would say POLLNVAL)");
                System.out.println(name + ": add, mute, modify, unwatch, add, forgetBeforeClose: as the contract says");
            } finally {
                r.close();
                if (fd >= 0) Syscalls.close(cs, fd);
                Syscalls.close(cs, wake);
            }
        }
    }

    /** Whether one wait that does not block reports TOKEN as readable. */
    private static boolean reported(Readiness r) {
        int n = r.await(0);
        assertTrue(n >= 0, "await: " + n);
        for (int i = 0; i < n; i++) {
            if (r.token(i) == TOKEN) return (r.events(i) & Epoll.EPOLLIN) != 0 || (r.events(i) & Epoll.EPOLLERR) != 0;
        }
        return false;
    }

    private static long ctlCalls(LoopSyscalls sys) {
        return sys.counters.calls(Sys.EPOLL_CTL_ADD) + sys.counters.calls(Sys.EPOLL_CTL_MOD) + sys.counters.calls(Sys.EPOLL_CTL_DEL);
    }
}
