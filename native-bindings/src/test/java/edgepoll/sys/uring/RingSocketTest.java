package edgepoll.sys.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.PollFds;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.sys.testkit.FdCount;
import edgepoll.sys.uring.Rings.Completion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring on loopback TCP: multishot accept, multishot recv into a provided buffer ring, send,
 * cancel and close through the ring, and -ENOBUFS when the buffer ring runs dry.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingSocketTest {
    private static final int FLAGS = Ring.SETUP_SINGLE_ISSUER | Ring.SETUP_DEFER_TASKRUN;
    private static final long ACCEPT = 1, RECV = 2, SEND = 3, CANCEL = 4, CLOSE = 5;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment cs = CallState.allocate(arena);

    private int listener() throws SyscallException {
        int fd = SyscallException.check("socket", Syscalls.socket(cs, Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0));
        SockAddrs.SockAddr any = SockAddrs.of(arena, "127.0.0.1", 0);
        SyscallException.check("bind", Syscalls.bind(cs, fd, any.segment(), any.length()));
        SyscallException.check("listen", Syscalls.listen(cs, fd, 16));
        return fd;
    }

    private int connect(int port) throws SyscallException {
        int fd = SyscallException.check("socket", Syscalls.socket(cs, Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0));
        SockAddrs.SockAddr to = SockAddrs.of(arena, "127.0.0.1", port);
        SyscallException.check("connect", Syscalls.connect(cs, fd, to.segment(), to.length()));
        return fd;
    }

    private void sendText(int fd, String text) {
        MemorySegment b = arena.allocateFrom(text, StandardCharsets.US_ASCII);
        assertEquals(text.length(), Syscalls.send(cs, fd, b, text.length(), Net.MSG_NOSIGNAL));
    }

    private String receiveText(int fd, int max) {
        PollFds p = new PollFds(arena, 1);
        p.set(0, fd, Net.POLLIN);
        assertEquals(1, Syscalls.poll(cs, p.segment(), 1, 5000), "no data within 5 s");
        MemorySegment b = arena.allocate(max);
        long n = Syscalls.recv(cs, fd, b, max, Net.MSG_DONTWAIT);
        assertTrue(n > 0, "recv: " + n);
        return new String(b.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private static String text(BufferRing br, int bid, int n) {
        return new String(br.buffers().asSlice(br.offset(bid), n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII);
    }

    @Test
    void multishotAcceptRecvIntoProvidedBuffersSendCancelAndClose() throws Exception {
        int fdsBefore = FdCount.now();
        try (Ring ring = Rings.openOrSkip(16, FLAGS); arena) {
            int lfd = listener();
            int port = SockAddrs.localPort(cs, lfd);
            Prep.acceptMultishot(ring.sqes(), ring.nextSqe(), lfd, Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC, ACCEPT);
            assertEquals(1, ring.submitAndWait(0));
            int c1 = connect(port);
            int c2 = connect(port);

            // One armed accept, two connections: two CQEs, each a new fd, each saying "more to come".
            List<Completion> accepted = Rings.await(ring, 2, 5000);
            assertEquals(2, accepted.size(), "accept CQEs: " + accepted);
            for (Completion c : accepted) {
                assertEquals(ACCEPT, c.userData());
                assertTrue(c.res() >= 0, "accept failed: " + c);
                assertTrue(c.more(), "multishot accept should stay armed: " + c);
            }
            int s1 = accepted.get(0).res();
            int s2 = accepted.get(1).res();

            try (BufferRing br = BufferRing.register(ring, (short) 7, 4, 64)) {
                Prep.recvMultishot(ring.sqes(), ring.nextSqe(), s1, br.group(), RECV);
                sendText(c1, "hello");
                List<Completion> got = Rings.await(ring, 1, 5000);
                assertEquals(1, got.size(), "recv CQEs: " + got);
                Completion r = got.get(0);
                assertEquals(RECV, r.userData());
                assertEquals(5, r.res(), "recv: " + r);
                assertTrue(Cqe.hasBuffer(r.flags()) && r.more(), "recv CQE flags: " + r);
                int bid = Cqe.bufferId(r.flags());
                assertEquals("hello", text(br, bid, 5));
                br.recycle(bid);

                // The same request keeps receiving: a second message lands in the next buffer.
                sendText(c1, "again");
                Completion r2 = Rings.await(ring, 1, 5000).get(0);
                assertEquals(5, r2.res(), "second recv: " + r2);
                assertEquals("again", text(br, Cqe.bufferId(r2.flags()), 5));
                br.recycle(Cqe.bufferId(r2.flags()));

                // send through the ring; the client reads it with plain recv.
                MemorySegment out = arena.allocateFrom("world", StandardCharsets.US_ASCII);
                Prep.send(ring.sqes(), ring.nextSqe(), s1, out, 0, 5, Net.MSG_NOSIGNAL, SEND);
                assertEquals(List.of(new Completion(SEND, 5, 0)), Rings.await(ring, 1, 5000));
                assertEquals("world", receiveText(c1, 16));

                // Cancel the multishot recv on s1 and the multishot accept: each ends with -ECANCELED, no F_MORE.
                Prep.cancelFd(ring.sqes(), ring.nextSqe(), s1, CANCEL);
                Prep.cancel(ring.sqes(), ring.nextSqe(), ACCEPT, CANCEL);
                List<Completion> ends = Rings.await(ring, 4, 5000);
                assertEquals(4, ends.size(), "cancel CQEs: " + ends);
                assertTrue(ends.contains(new Completion(RECV, -Errno.ECANCELED, 0)), "recv not cancelled: " + ends);
                assertTrue(ends.contains(new Completion(ACCEPT, -Errno.ECANCELED, 0)), "accept not cancelled: " + ends);
                assertTrue(ends.contains(new Completion(CANCEL, 0, 0)) || ends.contains(new Completion(CANCEL, 1, 0)),
                        "cancel results: " + ends);
            }

            // close(2) through the ring for the accepted sockets; the rest with plain close.
            Prep.close(ring.sqes(), ring.nextSqe(), s1, CLOSE);
            Prep.close(ring.sqes(), ring.nextSqe(), s2, CLOSE);
            assertEquals(List.of(new Completion(CLOSE, 0, 0), new Completion(CLOSE, 0, 0)), Rings.await(ring, 2, 5000));
            Syscalls.close(cs, c1);
            Syscalls.close(cs, c2);
            Syscalls.close(cs, lfd);
        }
        assertEquals(fdsBefore, FdCount.now(), "fds leaked: " + FdCount.describe());
    }

    @Test
    void multishotRecvEndsWithEnobufsWhenTheBufferRingIsEmpty() throws Exception {
        try (Ring ring = Rings.openOrSkip(16, FLAGS); arena) {
            int lfd = listener();
            int c = connect(SockAddrs.localPort(cs, lfd));
            int s = Syscalls.accept4(cs, lfd, MemorySegment.NULL, MemorySegment.NULL, Net.SOCK_CLOEXEC);
            assertTrue(s >= 0, "accept4: " + Errno.describe(s));
            try (BufferRing br = BufferRing.register(ring, (short) 3, 2, 16)) {
                sendText(c, "0123456789abcdef" + "ghijklmnopqrstuv" + "tail!xyz");  // 40 bytes: 16 + 16 + 8
                Prep.recvMultishot(ring.sqes(), ring.nextSqe(), s, br.group(), RECV);
                List<Completion> got = Rings.await(ring, 3, 5000);
                assertEquals(3, got.size(), "CQEs: " + got);
                assertEquals(16, got.get(0).res());
                assertEquals(16, got.get(1).res());
                assertTrue(got.get(0).more() && got.get(1).more(), "CQEs: " + got);
                assertEquals("0123456789abcdef", text(br, Cqe.bufferId(got.get(0).flags()), 16));
                assertEquals("ghijklmnopqrstuv", text(br, Cqe.bufferId(got.get(1).flags()), 16));
                Completion last = got.get(2);
                assertEquals(-Errno.ENOBUFS, last.res(), "third CQE: " + last);
                assertFalse(last.more(), "ENOBUFS ends the multishot recv: " + last);

                // Give both buffers back and re-arm: the 8 bytes that waited arrive.
                br.recycle(Cqe.bufferId(got.get(0).flags()));
                br.recycle(Cqe.bufferId(got.get(1).flags()));
                Prep.recvMultishot(ring.sqes(), ring.nextSqe(), s, br.group(), RECV);
                Completion rest = Rings.await(ring, 1, 5000).get(0);
                assertEquals(8, rest.res(), "after recycling: " + rest);
                assertEquals("tail!xyz", text(br, Cqe.bufferId(rest.flags()), 8));
                Prep.cancelFd(ring.sqes(), ring.nextSqe(), s, CANCEL);
                assertEquals(2, Rings.await(ring, 2, 5000).size());
            }
            Syscalls.close(cs, s);
            Syscalls.close(cs, c);
            Syscalls.close(cs, lfd);
        }
    }
}
