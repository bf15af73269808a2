package edgepoll.server.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.UringOp;
import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.Pace;
import edgepoll.server.testkit.Prober;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.Syscalls;
import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RELIABILITY #8, #12, #7 and the limits: half-close, resets, stale events after fd reuse, slowloris, --max-connections. */
class ConnectionFaultsTest {

    /** Case 5a-c: requests then SHUT_WR still get every response, then a clean EOF. */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void halfCloseAfterPipelinedRequestsStillGetsEveryResponse(String variant) throws Exception {
        boolean serial = variant.equals("blocking");
        int n = serial ? 1 : 1000;
        try (ServerHandle s = ServerHandle.start(variant)) {
            for (boolean lateReader : new boolean[] {false, true}) {
                try (RawClient c = new RawClient(s.port())) {
                    c.send("GET / HTTP/1.1\r\n\r\n".repeat(n));
                    c.socket.shutdownOutput();
                    // Scenario timing: a reader late by 1 s, so the replies back up while the FIN is
                    // already queued; the lateness itself is the scenario (in every model, the
                    // blocking ones included, where no counter shows a blocked send).
                    if (lateReader) Pace.hold(1_000, "a late reader: backpressure while the FIN is already queued");
                    String all = new String(c.readToEof(), StandardCharsets.ISO_8859_1);
                    assertEquals(n, all.split("Hello, world!", -1).length - 1, variant + (lateReader ? " (late reader)" : ""));
                }
            }
            try (RawClient c = new RawClient(s.port())) {
                c.send("GET / HTTP/1.0\r\n\r\n");
                c.socket.shutdownOutput();
                assertTrue(new String(c.readToEof(), StandardCharsets.ISO_8859_1).endsWith("Hello, world!"));
            }
        }
    }

    /** Case 5d: echo of 1 MiB then SHUT_WR: all of it comes back, then EOF. */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void echoHalfCloseGetsEveryByteBack(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--protocol", "echo"); RawClient c = new RawClient(s.port(), 20_000)) {
            byte[] data = "abcdefghij".repeat(104_858).getBytes(StandardCharsets.US_ASCII);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    c.socket.getOutputStream().write(data);
                    c.socket.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = c.readToEof();
            writer.join(20_000);
            assertEquals(data.length, back.length);
            assertEquals("ABCDEFGHIJ", new String(back, 0, 10, StandardCharsets.US_ASCII));
        }
    }

    /** Case 5, resets: RST while an 8 MiB reply is pending: counted, no exception storm, the loop goes on. */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void clientResetDuringALargeReplyIsCountedAndTheLoopGoesOn(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--response-size", Integer.toString(8 << 20))) {
            for (int i = 0; i < 10; i++) {
                RawClient c = new RawClient(s.port());
                c.send("GET / HTTP/1.1\r\n\r\n");
                c.socket.getInputStream().readNBytes(1000);
                c.socket.setSoLinger(true, 0);
                c.close();  // RST
            }
            try (RawClient c = new RawClient(s.port(), 20_000)) {
                c.send("HEAD / HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(true).status(), "the loop goes on");
            }
            Live.awaitAllClosed(s);  // the server saw every reset (or the last client's FIN) and closed
            Stats st = s.stop();
            long resets = st.total().errors(Sys.SEND, Errno.ECONNRESET) + st.total().errors(Sys.SEND, Errno.EPIPE)
                    + st.total().errors(Sys.READ, Errno.ECONNRESET);
            if (variant.equals("uring")) {  // no send or read syscall: the ring's CQEs carry the errno, counted per op
                UringOp send = UringOp.SEND, recv = UringOp.RECV;
                resets = st.total().cqeErrors(send, Errno.ECONNRESET) + st.total().cqeErrors(send, Errno.EPIPE)
                        + st.total().cqeErrors(recv, Errno.ECONNRESET);
                System.out.printf("uring: 10 resets during 8 MiB replies: send CQE ECONNRESET %d, EPIPE %d, recv CQE ECONNRESET %d%n",
                        st.total().cqeErrors(send, Errno.ECONNRESET), st.total().cqeErrors(send, Errno.EPIPE), st.total().cqeErrors(recv, Errno.ECONNRESET));
            }
            System.out.printf("%s: 10 resets during 8 MiB replies: sendto ECONNRESET %d, EPIPE %d, read ECONNRESET %d%n", variant,
                    st.total().errors(Sys.SEND, Errno.ECONNRESET), st.total().errors(Sys.SEND, Errno.EPIPE), st.total().errors(Sys.READ, Errno.ECONNRESET));
            assertTrue(resets >= 10, "each reset is seen and counted by errno: " + resets);
            assertEquals(st.total().accepted(), st.total().closed(), "every reset connection closed");
        }
    }

    /**
     * Case 6: an event for a closed connection whose fd number was reused must not reach the new one.
     * The test keeps a dup of the server's connection fd, so the closed connection's open file
     * description stays in the epoll set; the fd number is reused by the next accept; then it makes
     * the old description signal (shutdown of the dup). epoll reports it with the old data.u64
     * (fd and generation), and the loop must drop it.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"et", "lt", "et-short-read"})  // poll and busy-poll register nothing that could go stale
    void staleEventForAReusedFdNumberIsDropped(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant); Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            List<Integer> before = sockets();
            RawClient first = new RawClient(s.port());
            first.send("GET / HTTP/1.1\r\n\r\n");
            first.readResponse(false);
            List<Integer> serverFd = sockets();
            serverFd.removeAll(before);
            // the new sockets: the client's and the server's end; dup both, one of them is the server's
            List<Integer> dups = new ArrayList<>();
            for (int fd : serverFd) dups.add(Syscalls.fcntl(cs, fd, Net.F_DUPFD_CLOEXEC, 100));
            first.close();
            // the server reads EOF and closes its fd (the number is free again); the dup keeps the description registered
            Live.awaitClosed(s, 1);
            RawClient second = new RawClient(s.port());  // takes the freed fd number, a new generation
            second.send("GET / HTTP/1.1\r\n\r\n");
            assertEquals(200, second.readResponse(false).status());
            for (int d : dups) Syscalls.shutdown(cs, d, Net.SHUT_RDWR);  // the old description signals
            Live.await(s, "the old registration's event to arrive and be dropped", st -> st.staleEvents() >= 1);
            second.send("GET / HTTP/1.1\r\n\r\n");
            assertEquals(200, second.readResponse(false).status(), "the new connection on the reused fd number is untouched");
            second.close();
            for (int d : dups) Syscalls.close(cs, d);
            Live.awaitClosed(s, 2);
            Stats st = s.stop();
            System.out.printf("%s: stale events dropped: %d%n", variant, st.total().staleEvents());
            assertTrue(st.total().staleEvents() >= 1, "the old registration's event was recognised by its generation and dropped");
        }
    }

    private static List<Integer> sockets() throws Exception {
        List<Integer> fds = new ArrayList<>();
        for (String n : new File("/proc/self/fd").list()) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc/self/fd", n)).toString().startsWith("socket:")) fds.add(Integer.parseInt(n));
            } catch (Exception e) {
                // gone meanwhile
            }
        }
        return fds;
    }

    /** Case 7: slowloris connections are closed at --header-timeout while a normal client is served fast. */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void slowlorisConnectionsAreClosedAtTheHeaderTimeout(String variant) throws Exception {
        boolean longForm = Boolean.getBoolean("edgepoll.long");
        int count = longForm ? 1000 : 200;
        long byteEveryMs = longForm ? 2_000 : 300, timeoutMs = longForm ? 10_000 : 1_500;
        try (ServerHandle s = ServerHandle.start(variant, "--header-timeout", timeoutMs + "ms")) {
            List<RawClient> slow = new ArrayList<>();
            for (int i = 0; i < count; i++) slow.add(new RawClient(s.port(), 30_000));
            Prober probe = new Prober(s.port(), false, 5);
            long t0 = System.nanoTime();
            String head = "GET / HTTP/1.1\r\nX-Slow: " + "a".repeat(200);
            int closed = 0;
            for (int k = 0; closed < count && (System.nanoTime() - t0) / 1_000_000 < timeoutMs + 3_000; k++) {
                closed = 0;
                for (RawClient c : slow) {
                    try {
                        c.send(head.substring(k % head.length(), k % head.length() + 1));
                    } catch (java.io.IOException e) {
                        closed++;
                    }
                }
                // Scenario timing: the slowloris gap between bytes is what the header timeout is about.
                Pace.hold(byteEveryMs, "the slowloris byte gap");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            double[] p = probe.finish();
            for (RawClient c : slow) c.close();
            System.out.printf("%s: %d slowloris connections (a byte every %d ms), --header-timeout %d ms: all closed after %d ms;"
                    + " normal client p50 %.2f ms p99 %.2f ms%n", variant, count, byteEveryMs, timeoutMs, ms, p[0], p[1]);
            assertEquals(count, closed, "every slow connection was closed");
            assertTrue(ms < timeoutMs + 2 * byteEveryMs + 1_500, "closed soon after the timeout: " + ms + " ms");
            // Served beside them, not behind them: a client queued behind the slow connections would wait
            // for their bytes (a gap of byteEveryMs) or for their closing (the timeout). How fast it is
            // served is a figure (printed above; scripts/bench-* measure speed), not a unit-test target:
            // on a loaded 2-CPU machine p99 reached 50-1000 ms in busy-poll with no fault in the server.
            assertTrue(p[3] >= 10, "the normal client completed requests while the slow ones were held: " + p[3]);
            assertTrue(p[0] < byteEveryMs, "the normal client's median " + p[0] + " ms is under the slowloris byte gap");
        }
    }

    /** Limits: --max-connections accepts the excess and closes it at once, counted. */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void connectionsOverTheLimitAreClosedAtOnceAndCounted(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--max-connections", "5")) {
            List<RawClient> kept = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RawClient c = new RawClient(s.port());
                c.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(false).status());
                kept.add(c);
            }
            for (int i = 0; i < 3; i++) {
                try (RawClient extra = new RawClient(s.port(), 5_000)) {
                    assertTrue(extra.closedByServer(), "connection over the limit closed at once");
                }
            }
            kept.get(0).close();
            Live.awaitClosed(s, 1);  // a slot freed (rejected connections are not counted as closed)
            try (RawClient again = new RawClient(s.port())) {
                again.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, again.readResponse(false).status(), "a slot freed: served again");
            }
            for (RawClient c : kept) c.close();
            Live.awaitAllClosed(s);
            assertEquals(3, s.stop().total().rejected());
        }
    }
}
