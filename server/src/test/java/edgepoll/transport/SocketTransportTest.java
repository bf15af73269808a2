package edgepoll.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.config.Options;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.proto.Protocol;
import edgepoll.server.testkit.Await;
import edgepoll.sys.Errno;
import edgepoll.worker.BufferPool;
import edgepoll.worker.Listener;
import edgepoll.worker.Worker;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared transport over a real loopback TCP connection (a socket accepted from a listener, a
 * java.net client on the other end): the pump answers what was read and sends it, a reply the
 * socket cannot take waits, a reply that closes half-closes and lingers until the client's FIN,
 * and the one timer rule puts each connection on its list, including a connection that holds
 * input outside its buffer (what io_uring's held provided buffers are) and one with a send in
 * flight. The owner here lends from a pool and closes at once, as --shared-epoll's does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketTransportTest {
    static final class TestConn extends Conn {
        boolean holds;

        TestConn(int fd) {
            super(fd);
            reopen();
        }

        @Override
        public boolean holdsInput() {
            return holds;
        }
    }

    /** The owner's side: buffers from a pool, close(2) at once. */
    static final class Owner extends SocketTransport<TestConn> {
        final BufferPool pool;

        Owner(LoopSyscalls sys, Protocol protocol, LoopClock clock, Deadlines deadlines, BufferPool pool) {
            super(sys, protocol, clock, deadlines, false, true);
            this.pool = pool;
        }

        @Override
        protected void lendInput(TestConn c) {
            c.in = pool.acquire();
        }

        @Override
        protected void lendOutput(TestConn c) {
            if (c.out == null) c.out = pool.acquire();
        }

        @Override
        protected void releaseIdleBuffers(TestConn c) {}

        @Override
        public void closeLater(TestConn c, String reason) {
            if (!c.markClosed(reason)) return;
            sys.close(c.fd);
            c.state = Conn.FREE;
        }
    }

    private static Options options(String... flags) {
        return Options.parse(flags);
    }

    /** Reads into {@code c} until the client's bytes are there (bounded). */
    private static long readArrived(Owner io, TestConn c) throws Exception {
        return Await.until(5_000, "the client's bytes", () -> {
            long n = io.readSome(c);
            return n == -Errno.EAGAIN ? null : n;
        });
    }

    @Test
    void pipelinedRequestsAreAnsweredAndSentWhole() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pair p = new Pair(arena, options())) {
            p.client.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".repeat(3).getBytes(StandardCharsets.US_ASCII));
            assertTrue(readArrived(p.io, p.c) > 0);
            assertEquals(Outcome.DONE, p.io.pump(p.c));
            assertEquals(3, p.sys.counters.requests(), "three requests answered");
            String got = p.readReplies(3);
            assertEquals(3, got.split("Hello, world!", -1).length - 1, got);
            assertEquals(Conn.OPEN, p.c.state);
            assertTrue(p.c.bytesIn > 0 && p.c.bytesOut > 0);
            assertEquals(-1, p.io.untilNextDeadline(), "answered, nothing buffered, no --idle-timeout: on no timer list");
        }
    }

    @Test
    void aReplyTheSocketCannotTakeWaitsAndIsSentOnceThereIsRoom() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pair p = new Pair(arena, options("--response-size", Integer.toString(8 << 20)))) {
            p.client.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readArrived(p.io, p.c) > 0);
            assertEquals(Outcome.WAITING, p.io.pump(p.c), "8 MiB do not fit in loopback's buffers");
            assertTrue(p.c.outputPending());
            InputStream in = p.client.getInputStream();
            byte[] chunk = new byte[1 << 16];
            long read = 0;
            Outcome o = Outcome.WAITING;
            while (o == Outcome.WAITING) {  // the client reads; the pump sends what now fits, until all is gone
                read += in.read(chunk);
                o = p.io.pump(p.c);
            }
            assertEquals(Outcome.DONE, o);
            assertTrue(!p.c.outputPending() && p.c.bytesOut > 8 << 20, "all of it sent: " + p.c.bytesOut);
            assertTrue(read > 0);
        }
    }

    @Test
    void aReplyThatClosesHalfClosesLingersAndEndsAtTheClientsFin() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pair p = new Pair(arena, options())) {
            p.client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readArrived(p.io, p.c) > 0);
            assertEquals(Outcome.ENDED, p.io.pump(p.c));
            assertEquals(Conn.LINGERING, p.c.state, "HTTP: our FIN sent, waiting for the client's");
            assertEquals(Worker.LINGER_MS, p.io.untilNextDeadline(), "on the linger list");
            String all = new String(p.client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(all.endsWith("Hello, world!"), "the reply, then EOF (shutdown(SHUT_WR)): " + all);
            p.client.close();  // the client's FIN
            Await.until(5_000, "the lingering read sees EOF", () -> {
                p.io.lingerRead(p.c);
                return p.c.state == Conn.FREE ? true : null;
            });
            assertEquals("linger-done", p.c.closeReason);
            assertEquals(-1, p.io.untilNextDeadline(), "off every list");
        }
    }

    /**
     * One rule for every loop: bytes of a head buffered, or held outside the buffer (io_uring),
     * put it on the header list, armed once; a reply being sent (queued, or in flight) is progress.
     */
    @Test
    void theTimerRuleIsTheSameForBufferedAndHeldInput() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pair p = new Pair(arena, options("--header-timeout", "700ms", "--idle-timeout", "5s"))) {
            p.client.getOutputStream().write("GET / HT".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readArrived(p.io, p.c) > 0);
            p.io.pump(p.c);
            assertEquals(700, p.io.untilNextDeadline(), "a head begun in the buffer: the header list");
            TestConn held = new TestConn(-1);  // holds input outside its buffer, as io_uring's held provided buffers
            held.holds = true;
            Deadlines d = p.deadlines;
            p.clock.nowMs += 100;
            d.rearm(held, p.clock.nowMs);
            d.rearm(p.c, p.clock.nowMs);  // not re-armed by more bytes: the head's deadline stands
            assertEquals(600, p.io.untilNextDeadline(), "armed once, when the head began");
            java.util.List<String> expired = new java.util.ArrayList<>();
            Deadlines.Closer closer = (c, reason) -> {
                expired.add((c == p.c ? "buffered " : "held ") + reason);
                if (c == p.c) p.io.closeLater(p.c, reason); else c.markClosed(reason);
            };
            p.clock.nowMs += 600;
            d.expire(p.clock.nowMs, closer);
            p.clock.nowMs += 100;
            d.expire(p.clock.nowMs, closer);
            assertEquals(java.util.List.of("buffered header-timeout", "held header-timeout"), expired,
                    "a head in the buffer and a head held outside it expire alike, each at its own deadline");
            assertEquals(Conn.FREE, p.c.state);
            TestConn sending = new TestConn(-1);  // a send in flight (io_uring) is a reply on its way: progress
            sending.holds = true;
            sending.sendInFlight = true;
            d.rearm(sending, p.clock.nowMs);
            assertEquals(5_000, d.untilNext(p.clock.nowMs), "the idle list, not the header list");
            d.remove(sending);
            assertEquals(-1, d.untilNext(p.clock.nowMs));
        }
    }

    /** A listener, a client connected to it, and the accepted socket as a connection of {@link Owner}. */
    static final class Pair implements AutoCloseable {
        final LoopSyscalls sys;
        final LoopClock clock = new LoopClock();
        final Deadlines deadlines;
        final Owner io;
        final TestConn c;
        final Socket client;
        private final int listenFd;

        Pair(Arena arena, Options options) throws Exception {
            sys = new LoopSyscalls(arena, null);
            Listener.Bound l = Listener.open("127.0.0.1", 0, 16, false, false);
            listenFd = l.fd();
            client = new Socket(InetAddress.getLoopbackAddress(), l.port());
            int fd = Await.until(5_000, "the accepted socket", () -> {
                int r = sys.accept(listenFd);
                return r >= 0 ? r : null;
            });
            clock.tick();
            deadlines = new Deadlines(options);
            Protocol protocol = Protocol.create(arena, options, null, false);
            clock.tick(protocol);
            io = new Owner(sys, protocol, clock, deadlines, new BufferPool(arena, options.sliceSize()));
            c = new TestConn(fd);
        }

        /** Reads from the client until {@code n} replies arrived (bounded by the socket's timeout). */
        String readReplies(int n) throws Exception {
            client.setSoTimeout(5_000);
            StringBuilder sb = new StringBuilder();
            byte[] buf = new byte[4096];
            while (sb.toString().split("Hello, world!", -1).length - 1 < n) {
                int k = client.getInputStream().read(buf);
                if (k < 0) break;
                sb.append(new String(buf, 0, k, StandardCharsets.ISO_8859_1));
            }
            return sb.toString();
        }

        @Override
        public void close() throws Exception {
            client.close();
            io.closeLater(c, null);
            sys.close(listenFd);
        }
    }
}
