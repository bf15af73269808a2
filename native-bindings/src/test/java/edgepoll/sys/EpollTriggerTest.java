package edgepoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.sys.testkit.Pipes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Seed 001, "Edge Triggered": register a pipe's read end, write 2 KB, read 1 KB. Level-triggered,
 * epoll_wait keeps reporting the fd while data is left; edge-triggered, it does not until new data
 * arrives after the reader drained to EAGAIN.
 */
class EpollTriggerTest {

    private static final long MARK = 0xCAFE_0000_0000_0007L;

    /** Runs the seed scenario with {@code extra} OR-ed into the registration; returns nothing, asserts. */
    private static void scenario(int extra, boolean edgeTriggered) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            EpollEvents events = new EpollEvents(arena, 8);
            int epfd = SyscallException.check("epoll_create1", Syscalls.epollCreate1(cs, Epoll.EPOLL_CLOEXEC));
            try (Pipes p = Pipes.open(arena, cs)) {
                EpollEvents reg = new EpollEvents(arena, 1);
                reg.set(0, Epoll.EPOLLIN | extra, MARK);
                assertEquals(0, Syscalls.epollCtl(cs, epfd, Epoll.EPOLL_CTL_ADD, p.readFd(), reg.segment()));

                assertEquals(0, Syscalls.epollWait(cs, epfd, events.segment(), 8, 0), "nothing written yet");
                assertEquals(2048, p.write(arena, 2048));
                assertEquals(1, Syscalls.epollWait(cs, epfd, events.segment(), 8, 0), "2 KB written");
                assertEquals(MARK, events.u64(0), "data.u64 comes back as registered");
                assertTrue((events.events(0) & Epoll.EPOLLIN) != 0, Epoll.describe(events.events(0)));

                assertEquals(1024, p.read(arena, 1024));
                int again = Syscalls.epollWait(cs, epfd, events.segment(), 8, 0);
                assertEquals(edgeTriggered ? 0 : 1, again, "after reading 1 KB of 2 KB");

                assertEquals(1024, p.read(arena, 4096));
                assertEquals(-Errno.EAGAIN, p.read(arena, 4096), "drained");
                assertEquals(0, Syscalls.epollWait(cs, epfd, events.segment(), 8, 0), "empty pipe");
                assertEquals(16, p.write(arena, 16));
                assertEquals(1, Syscalls.epollWait(cs, epfd, events.segment(), 8, 0), "new data is a new edge");
            } finally {
                Syscalls.close(cs, epfd);
            }
        }
    }

    @Test
    void edgeTriggeredReportsNothingWhileUnreadDataRemains() throws Exception {
        scenario(Epoll.EPOLLET, true);
    }

    @Test
    void levelTriggeredReportsTheFdAgainWhileUnreadDataRemains() throws Exception {
        scenario(0, false);
    }

    @Test
    void describeNamesEveryBit() {
        assertEquals("EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET",
                Epoll.describe(Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET));
        assertEquals("0", Epoll.describe(0));
    }
}
