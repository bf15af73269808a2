package edgepoll.server.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.stats.Stats;
import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.Echo;
import edgepoll.server.testkit.Pace;
import edgepoll.server.testkit.Prober;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.server.testkit.TcpSockets;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RELIABILITY #5 and #6: a streaming client cannot starve others; a client that stops reading cannot grow memory or lose a reply. */
class FairnessAndBackpressureTest {
    /** Own threads: the common pool has a single thread on a 2-core machine, and a reader must run beside a writer. */
    private static final java.util.concurrent.Executor THREADS = r -> Thread.ofPlatform().daemon().start(r);

    /**
     * Case 3: one client streams echo data as fast as it can; a second one is not starved. Starved
     * means its round trips wait for the stream to end: without the read budget a strict-ET drain
     * of a writer that never lets the socket empty never ends, and the second client's p99 is the
     * whole 3 s window. Served in turn, its p99 is a few ms idle (0.1-2 ms measured) and reached
     * 50-110 ms only at load average 9-14 on 2 CPUs (scheduling, not the server): the bound, 500 ms,
     * sits between the two, so the test tells starvation from a busy machine. The latency figure
     * itself belongs to the benchmarks, not to a timed unit test.
     */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void aStreamingClientDoesNotStarveAnother(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--protocol", "echo"); RawClient streamer = new RawClient(s.port(), 20_000)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong(), received = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 << 10];
                try {
                    OutputStream out = streamer.socket.getOutputStream();
                    while (!stop.get()) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                    streamer.socket.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                byte[] buf = new byte[1 << 16];
                try {
                    InputStream in = streamer.socket.getInputStream();
                    for (int n; (n = in.read(buf)) > 0; ) received.addAndGet(n);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            // the stream in full flow before measuring beside it: 32 MiB echoed (the loop's echo path compiled and hot)
            Await.until(20_000, "32 MiB of the streamer's echo", () -> received.get() >= 32 << 20 ? true : null);
            Prober probe = new Prober(s.port(), true, 10);
            // Scenario timing: the window in which the second client measures its round trips while
            // the streamer streams; its length sets how many samples the p99 rests on.
            Pace.hold(3_000, "the measuring window beside the streamer");
            double[] p = probe.finish();
            stop.set(true);
            writer.get(20, TimeUnit.SECONDS);
            reader.get(20, TimeUnit.SECONDS);
            System.out.printf("%s: while one client streamed %d MiB of echo, another's 16-byte round trips: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)%n",
                    variant, sent.get() >> 20, p[0], p[1], p[2], (long) p[3]);
            assertEquals(sent.get(), received.get(), "the streamer lost nothing");
            assertTrue(p[1] < 500, variant + ": p99 " + p[1] + " ms: the streamer starved the other client");
            streamer.close();
            Stats st = s.stop();
            if (variant.equals("et")) {  // short-read usually stops at a short read before the budget
                assertTrue(st.total().owedDrains() > 0, "the read budget re-queued the streamer's drain (owed_drains > 0)");
            }
        }
    }

    /**
     * Until backpressure holds end to end (the kernel's view, the same in every model): the server's
     * end of {@code c} has replies queued that the client, not reading, leaves unacknowledged, and
     * requests it has stopped reading. A server that kept reading into memory would never get there.
     */
    private static void awaitBackpressure(RawClient c) throws Exception {
        Await.until(20_000, "the server to stop reading a client that does not read", () -> {
            TcpSockets.Entry e = TcpSockets.serverEnd(c.socket);
            return e != null && e.txQueue() > 0 && e.rxQueue() > 0 ? e : null;
        });
    }

    /** Case 4: 200,000 pipelined requests written without reading: memory bounded, then every reply in order. */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void twoHundredThousandPipelinedRequestsWithoutReadingStayBoundedAndArriveInOrder(String variant) throws Exception {
        int n = 200_000;
        boolean[] head = new boolean[n];
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            head[i] = r.nextBoolean();
            sb.append(head[i] ? "HEAD" : "GET").append(" / HTTP/1.1\r\n\r\n");
        }
        byte[] all = sb.toString().getBytes();
        try (ServerHandle s = ServerHandle.start(variant); RawClient c = new RawClient(s.port(), 30_000)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    c.socket.getOutputStream().write(all);  // blocks once the server stops reading: that is backpressure
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            awaitBackpressure(c);  // the client does not read
            long pool = s.server().liveStats().total().bufferPoolBytes();
            System.out.printf("%s: once a client writing %,d pipelined requests without reading was held back, the loop's buffer pool holds %,d bytes%n",
                    variant, n, pool);
            assertTrue(pool <= 64L * 16384, "buffer memory stays bounded (one connection: two 16 KiB buffers in use): " + pool);
            for (int i = 0; i < n; i++) {
                RawClient.Response resp = c.readResponse(head[i]);
                assertEquals(head[i] ? 0 : 13, resp.body().length, "response " + i + " in order");
            }
            writer.get(30, TimeUnit.SECONDS);
            c.close();
            assertEquals(n, s.stop().total().requests(), "none lost, none duplicated");
        }
    }

    /** Case 4, echo: 64 MiB streamed while the client does not read for 3 s, then read whole. */
    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void echoStreamWithALateReaderLosesNothing(String variant) throws Exception {
        int size = 32 << 20;
        byte[] data = new byte[size];
        new Random(9).nextBytes(data);
        byte[] upper = Echo.upper(data);
        try (ServerHandle s = ServerHandle.start(variant, "--protocol", "echo"); RawClient c = new RawClient(s.port(), 30_000)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    c.socket.getOutputStream().write(data);
                    c.socket.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, THREADS);
            awaitBackpressure(c);  // the client does not read
            long pool = s.server().liveStats().total().bufferPoolBytes();
            assertTrue(pool <= 64L * 16384, "echo output held while the client does not read stays bounded: " + pool);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int k; (k = c.socket.getInputStream().read(buf)) > 0; ) {
                md.update(buf, 0, k);
                total += k;
            }
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(size, total);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(upper), md.digest());
        }
    }
}
