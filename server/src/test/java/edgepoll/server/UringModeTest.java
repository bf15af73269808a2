package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Echo;
import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.Pace;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.UringOp;
import edgepoll.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only --mode uring has: the provided-buffer ring running dry (ENOBUFS) and the recvs it ends
 * re-armed, --sqpoll, and the uring lines of the trace. The shared suites cover the rest.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UringModeTest {
    private static final java.util.concurrent.Executor THREADS = r -> Thread.ofPlatform().daemon().start(r);

    @TempDir
    Path tmp;

    /**
     * 64 echo clients write 1 MiB each and read only after a pause: the server holds provided buffers
     * for connections whose replies cannot leave, the 256-buffer ring can run dry, and every recv it
     * ends with ENOBUFS must be re-armed once buffers come back. Nothing may be lost or reordered.
     */
    @Test
    void echoThroughAnExhaustedBufferRingLosesNothing() throws Exception {
        int clients = 64, size = 1 << 20;
        byte[] data = new byte[size];
        new Random(3).nextBytes(data);
        byte[] upper = Echo.upper(data);
        try (ServerHandle s = ServerHandle.start("uring", "--protocol", "echo", "--uring-entries", "64")) {
            List<RawClient> cs = new ArrayList<>();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                RawClient c = new RawClient(s.port(), 60_000);
                cs.add(c);
                writers.add(CompletableFuture.runAsync(() -> {
                    try {
                        c.socket.getOutputStream().write(data);
                        c.socket.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, THREADS));
            }
            // Scenario timing: readers late by 1 s (as ConnectionFaultsTest's late reader): meanwhile the
            // server's sends stall and its recvs hold provided buffers, which is what this test is about.
            Pace.hold(1_000, "late readers: the server's sends stall and its recvs hold buffers");
            List<CompletableFuture<byte[]>> readers = new ArrayList<>();
            for (RawClient c : cs) {
                readers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.socket.getInputStream().readAllBytes();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, THREADS));
            }
            for (int i = 0; i < clients; i++) {
                writers.get(i).get(60, TimeUnit.SECONDS);
                assertArrayEquals(upper, readers.get(i).get(60, TimeUnit.SECONDS), "client " + i + " got its bytes back, in order");
            }
            for (RawClient c : cs) c.close();
            Live.awaitAllClosed(s);
            Stats st = s.stop();
            long enobufs = st.total().cqeErrors(UringOp.RECV, Errno.ENOBUFS);
            System.out.printf("uring: %d clients x 1 MiB echo with late readers: %d ENOBUFS, %d recv SQEs, %d recv cancels; %d bytes in, %d out%n",
                    clients, enobufs, st.total().sqes(UringOp.RECV), st.total().sqes(UringOp.CANCEL), st.total().bytesIn(), st.total().bytesOut());
            assertEquals((long) clients * size, st.total().bytesIn());
            assertEquals((long) clients * size, st.total().bytesOut());
        }
    }

    /** --sqpoll serves keep-alive and pipelined requests, and makes fewer enters than requests. */
    @Test
    void sqpollServesKeepAliveAndPipelinedRequests() throws Exception {
        try (ServerHandle s = ServerHandle.start("uring", "--sqpoll"); RawClient c = new RawClient(s.port())) {
            for (int i = 0; i < 500; i++) {
                c.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(false).status());
            }
            c.send("GET / HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\n\r\n".repeat(250));
            for (int i = 0; i < 500; i++) assertEquals(i % 2 == 0 ? 13 : 0, c.readResponse(i % 2 == 1).body().length, "response " + i);
            c.close();
            Live.awaitAllClosed(s);
            Stats st = s.stop();
            long enters = st.total().calls(Sys.IO_URING_ENTER);
            System.out.printf("uring --sqpoll: 1,000 requests, %d io_uring_enter calls%n", enters);
            assertEquals(1000, st.total().requests());
            assertTrue(enters < 1000, "fewer enters than requests: " + enters);
            assertTrue(st.toJson().contains("\"sqpoll\": true"), "the options say --sqpoll");
        }
    }

    /** --trace shows the enters and the CQEs of the followed connection, with their user_data's slot and generation. */
    @Test
    void traceShowsEntersAndCompletions() throws Exception {
        Path trace = tmp.resolve("uring.trace");
        try (ServerHandle s = ServerHandle.start("uring", "--trace", trace.toString(), "--trace-connections", "1");
             RawClient c = new RawClient(s.port())) {
            for (int i = 0; i < 3; i++) {
                c.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(false).status());
            }
        }
        String text = Files.readString(trace);
        assertTrue(text.startsWith("# edgepoll trace: mode=uring"), text);
        assertTrue(Pattern.compile("io_uring_enter\\(\\d+, \\d+, \\d+, 0x[0-9a-f]+").matcher(text).find(), text);
        assertTrue(Pattern.compile("cqe accept\\(\\d+\\) slot=0 gen=1 = \\d+").matcher(text).find(), text);
        assertTrue(Pattern.compile("cqe recv\\(\\d+\\) slot=0 gen=1 F_MORE F_BUFFER bid=\\d+ = 18").matcher(text).find(), text);
        assertTrue(Pattern.compile("cqe send\\(\\d+\\) slot=0 gen=1 = \\d+").matcher(text).find(), text);
        assertTrue(Pattern.compile("cqe close\\(\\d+\\) slot=0 gen=1 = 0").matcher(text).find(), text);
    }
}
