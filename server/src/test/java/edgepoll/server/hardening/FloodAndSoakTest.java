package edgepoll.server.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.TcpSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Case 2 (accept flood) and case 10 (soak, c10k, open/close cycles). Quick forms in scripts/test;
 * {@code scripts/test --long} (-Dedgepoll.long=true) runs the full sizes: 20 bursts of 1,000, 10,000
 * connections for 60 s, 100,000 cycles. The server runs in its own process so its fds, RSS and CPU
 * are its own.
 */
class FloodAndSoakTest {
    private static final boolean LONG = Boolean.getBoolean("edgepoll.long");
    private static final byte[] CLOSE_REQUEST = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    /** Client sockets bound to 127.0.0.2-9 in turn, so 100,000 short connections do not run out of ports. */
    static Socket connect(int port, int n, int timeoutMs) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + n % 8)}), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
        s.setSoTimeout(timeoutMs);
        return s;
    }

    static String stats(int port) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.send("GET /_edgepoll/stats HTTP/1.1\r\nConnection: close\r\n\r\n");
            return new String(c.readToEof(), StandardCharsets.UTF_8);
        }
    }

    static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key);
        return Long.parseLong(m.group(1));
    }

    /**
     * The server's fd count at rest, as the baseline: after one request on a connection of its own,
     * so whatever serving a first connection opens for good is in it, and once the server has
     * closed that connection (the kernel's view: it holds none).
     */
    static int settledBaseline(int port, long pid) throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.send(new String(CLOSE_REQUEST, StandardCharsets.US_ASCII));
            c.readToEof();
        }
        Await.until(10_000, "the server to close the warm-up connection", () -> TcpSockets.heldBy(port) == 0 ? true : null);
        // heldBy sees ESTABLISHED and CLOSE_WAIT only: a lingering close (shutdown(SHUT_WR), then
        // read until the client's FIN) keeps the fd open in FIN_WAIT with heldBy already 0, and a
        // baseline taken then counted that socket (seen: a baseline of 10 that the server later
        // went below, to 9). So: until the process holds no socket fd but its listening socket(s).
        long listeners = TcpSockets.all().stream().filter(e -> e.localPort() == port && e.state() == TcpSockets.LISTEN).count();
        Await.until(10_000, "the server to close the warm-up connection's fd", () -> socketFds(pid) <= listeners ? true : null);
        return fdCount(pid);
    }

    /** How many of the process's fds are sockets. */
    static long socketFds(long pid) throws IOException {
        java.io.File[] fds = new java.io.File("/proc/" + pid + "/fd").listFiles();
        if (fds == null) return -1;
        long n = 0;
        for (java.io.File f : fds) {
            try {
                if (Files.readSymbolicLink(f.toPath()).toString().startsWith("socket:")) n++;
            } catch (IOException gone) {
                // closed since the listing
            }
        }
        return n;
    }

    static int fdCount(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }

    /** Case 2: bursts of 1,000 connects against --backlog 128: every one is served or fails cleanly; accepting never stops. */
    @ParameterizedTest
    @ValueSource(strings = {"et", "lt"})
    void acceptFloodEveryConnectIsServedOrFailsCleanly(String mode) throws Exception {
        int bursts = LONG ? 20 : 4;
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), "--port", "0", "--mode", mode, "--backlog", "128")) {
            int port = ServerProcess.port(sp.firstLine());
            long served = 0, clean = 0, partial = 0;
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int b = 0; b < bursts; b++) {
                    List<Future<Integer>> fs = new ArrayList<>();
                    for (int i = 0; i < 1000; i++) {
                        int n = b * 1000 + i;
                        fs.add(pool.submit(() -> {
                            try (Socket s = connect(port, n, 10_000)) {
                                s.getOutputStream().write(CLOSE_REQUEST);
                                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                                if (reply.startsWith("HTTP/1.1 200") && reply.endsWith("Hello, world!")) return 0;
                                return reply.isEmpty() ? 1 : 2;  // 2: a partial reply, which must never happen
                            } catch (SocketTimeoutException e) {
                                return 1;
                            } catch (IOException e) {
                                return 1;  // refused or reset: a clean failure
                            }
                        }));
                    }
                    for (Future<Integer> f : fs) {
                        switch (f.get(60, TimeUnit.SECONDS)) {
                            case 0 -> served++;
                            case 1 -> clean++;
                            default -> partial++;
                        }
                    }
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long f0 = System.nanoTime();
            try (RawClient fresh = new RawClient(port, 5_000)) {
                fresh.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, fresh.readResponse(false).status(), "a fresh connect after the storm is served");
            }
            long freshMs = (System.nanoTime() - f0) / 1_000_000;
            String json = stats(port);
            System.out.printf("%s: %d bursts of 1,000 connects vs --backlog 128 in %.1f s: %d served, %d failed cleanly, %d partial;"
                    + " fresh connect served in %d ms%n", mode, bursts, secs, served, clean, partial, freshMs);
            assertEquals(0, partial, "no partial response");
            assertEquals(bursts * 1000L, served + clean);
            assertTrue(served >= bursts * 500L, "most connects are served");
            assertTrue(freshMs < 1_000, "the server never stopped accepting");
            assertEquals(served + 1, number(json, "requests"), "every served client counted once (+ the fresh one)");
            assertEquals(0, sp.terminate());
        }
    }

    /** Case 10: many concurrent keep-alive connections on one loop, then open/close cycles back to baseline. */
    @ParameterizedTest
    @ValueSource(strings = {"et", "lt"})
    void soakManyConnectionsThenCyclesReturnToBaseline(String mode) throws Exception {
        int connections = LONG ? 10_000 : 2_000;
        long seconds = LONG ? 60 : 3;
        int cycles = LONG ? 100_000 : 10_000;
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), "--port", "0", "--mode", mode, "--backlog", "4096")) {
            int port = ServerProcess.port(sp.firstLine());
            long pid = sp.process.pid();
            int fd0 = settledBaseline(port, pid);
            long rss0 = rssKiB(pid);
            int threads = 8;
            List<List<Socket>> shares = new ArrayList<>();
            for (int t = 0; t < threads; t++) shares.add(new ArrayList<>());
            for (int i = 0; i < connections; i++) shares.get(i % threads).add(connect(port, i, 20_000));
            // RSS with them open: once the server has accepted every one (+ the stats connection asking)
            Await.until(30_000, "the server to accept all " + connections + " connections",
                    () -> number(stats(port), "open_connections") == connections + 1 ? true : null);
            long rssOpen = rssKiB(pid);
            byte[] req = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long ok = 0;
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<Long>> fs = new ArrayList<>();
                for (List<Socket> share : shares) {
                    fs.add(pool.submit(() -> {
                        long n = 0;
                        byte[] buf = new byte[4096];
                        while (System.nanoTime() < deadline) {
                            for (Socket s : share) s.getOutputStream().write(req);
                            for (Socket s : share) {
                                int got = 0;
                                while (!new String(buf, 0, got, StandardCharsets.ISO_8859_1).endsWith("Hello, world!")) {
                                    int k = s.getInputStream().read(buf, got, buf.length - got);
                                    if (k < 0) throw new IOException("server closed a soak connection");
                                    got += k;
                                }
                                n++;
                            }
                        }
                        return n;
                    }));
                }
                for (Future<Long> f : fs) ok += f.get(seconds + 60, TimeUnit.SECONDS);
            }
            String during = stats(port);
            assertEquals(connections + 1, number(during, "open_connections"), "every soak connection still open (+ the stats one)");
            assertTrue(number(during, "buffers_in_use") <= 1, "idle keep-alive connections hold no buffer: " + number(during, "buffers_in_use"));
            assertTrue(number(during, "buffer_pool_bytes") <= 8L << 20,
                    "the pool's high-water mark stays small (buffers are lent only while bytes are in flight): " + number(during, "buffer_pool_bytes"));
            for (List<Socket> share : shares) for (Socket s : share) s.close();
            long c0 = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                try (Socket s = connect(port, i, 10_000)) {
                    s.getOutputStream().write(CLOSE_REQUEST);
                    s.getInputStream().readAllBytes();
                }
            }
            double cycleSecs = (System.nanoTime() - c0) / 1e9;
            // the server closed every cycle's connection (only the stats connection asking is open)
            String after = Await.until(30_000, "the server to close the cycles' connections", () -> {
                String json = stats(port);
                return number(json, "open_connections") == 1 ? json : null;
            });
            // the stats connection itself closes (Connection: close, then the client's FIN)
            int fd1 = Await.settle(10_000, () -> fdCount(pid), n -> n == fd0);
            System.out.printf("%s soak: %d connections on one loop, %d requests in %d s, all served; RSS %d KiB idle -> %d KiB with them open"
                    + " (%.1f KiB per connection); %d open/close cycles in %.1f s; fds %d -> %d; buffers in use %d, pool %d bytes%n",
                    mode, connections, ok, seconds, rss0, rssOpen, (rssOpen - rss0) / (double) connections, cycles, cycleSecs,
                    fd0, fd1, number(after, "buffers_in_use"), number(after, "buffer_pool_bytes"));
            assertTrue(ok >= connections, "every connection was served");
            assertEquals(fd0, fd1, "server fds back to baseline after " + cycles + " cycles");
            assertTrue(number(after, "buffers_in_use") <= 1, "no connection buffer still lent (but perhaps the stats request's own)");
            assertEquals(0, sp.terminate());
        }
    }
}
