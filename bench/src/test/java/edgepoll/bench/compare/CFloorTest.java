package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import edgepoll.config.Options;
import edgepoll.server.Server;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The C floor peer (cfloor.c) against edgepoll itself: the same reply bytes for every request shape
 * the benchmarks send (and a few they do not), the same echo, and the same syscalls per request in
 * each drain policy. Real sockets, a real gcc build; skipped with a printed reason without gcc.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CFloorTest {
    private static Path bin;

    @BeforeAll
    static void build() throws Exception {
        bin = CBuilds.buildOrSay("cfloor", "CFloorTest");
    }

    @AfterAll
    static void clean() throws IOException {
        CBuilds.delete(bin);
    }

    private static void assumeGcc() {
        assumeTrue(bin != null, "gcc is not installed");
    }

    /** A running cfloor; closed with SIGTERM. */
    record CPeer(Process process, int port) implements AutoCloseable {
        static CPeer start(String protocol, String name) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--port", "0", "--protocol", protocol));
            cmd.addAll(CFloor.policyArgs(name));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertTrue(line != null && line.startsWith("listening on 127.0.0.1:"), "first line: " + line);
            return new CPeer(p, Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)));
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Server edgepoll(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("--port", "0", "--nodelay"));
        a.addAll(List.of(args));
        return Server.start(Options.parse(a.toArray(String[]::new)));
    }

    /** Sends {@code request} in one write; reads {@code expect} bytes, or to EOF when {@code expect} < 0. */
    private static byte[] exchange(int port, byte[] request, int expect) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request);
            return expect < 0 ? s.getInputStream().readAllBytes() : s.getInputStream().readNBytes(expect);
        }
    }

    /** The Date header's value blanked: the two servers may straddle a second. */
    private static String undated(byte[] response) {
        return new String(response, StandardCharsets.US_ASCII).replaceAll("Date: [^\r\n]{29}\r\n", "Date: <29 bytes>\r\n");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Request shapes, each answered by edgepoll first: to EOF when it closes, else exactly its reply's length. */
    private static final Map<String, Boolean> REQUESTS = Map.of(
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false,
            "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", false,
            "GET /any/path?q=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n", false,
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false,
            "GET / HTTP/1.0\r\n\r\n", true,
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", true,
            "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n", false,
            "GET / HTTP/1.1\nHost: x\n\n", false,
            "BOGUS\r\n\r\n", true);

    @Test
    void everyPolicyRepliesWithEdgepollsBytes() throws Exception {
        assumeGcc();
        try (Server ep = edgepoll()) {
            for (String name : List.of("c-et", "c-et-short-read", "c-lt")) {
                try (CPeer c = CPeer.start("http", name)) {
                    for (Map.Entry<String, Boolean> e : REQUESTS.entrySet()) {
                        byte[] want = e.getValue() ? exchange(ep.port(), ascii(e.getKey()), -1) : keepAliveReply(ep.port(), e.getKey());
                        byte[] got = e.getValue() ? exchange(c.port(), ascii(e.getKey()), -1) : exchange(c.port(), ascii(e.getKey()), want.length);
                        assertEquals(undated(want), undated(got), name + " answering " + e.getKey().replace("\r\n", "\\r\\n"));
                    }
                }
            }
            ep.stop();
        }
    }

    /** edgepoll's reply to a keep-alive request: as many 200s as the request holds heads, read by length. */
    private static byte[] keepAliveReply(int port, String request) throws IOException {
        int heads = request.split("\r?\n\r?\n", -1).length - 1;
        boolean head = request.startsWith("HEAD");
        boolean http10 = request.contains("HTTP/1.0");
        int one = ("HTTP/1.1 200 OK\r\nServer: edgepoll\r\nDate: " + "x".repeat(29) + "\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 13\r\n" + (http10 ? "Connection: keep-alive\r\n" : "") + "\r\n").length() + (head ? 0 : 13);
        return exchange(port, ascii(request), heads * one);
    }

    /**
     * SIGTERM ends it even when it lands between two epoll_waits: here, while the last connections'
     * EOFs are served, the moment scripts/flame-graphs sends it. With the flag alone, the next
     * epoll_wait(-1) of the now idle server waited forever (FlameGraphsTest hung on it); the handler
     * also shuts the listener down, which wakes that wait.
     */
    @Test
    void aSigtermBetweenTwoWaitsStillEndsIt() throws Exception {
        assumeGcc();
        byte[] request = ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (String name : List.of("c-et", "c-lt")) {
            for (int round = 0; round < 25; round++) {
                try (CPeer c = CPeer.start("http", name)) {
                    List<Socket> socks = new ArrayList<>();
                    try {
                        for (int i = 0; i < 32; i++) {
                            Socket s = new Socket("127.0.0.1", c.port());
                            s.setSoTimeout(5000);
                            socks.add(s);
                            s.getOutputStream().write(request);
                        }
                        for (Socket s : socks) readUntil(s.getInputStream(), "Hello, world!");
                    } finally {
                        for (Socket s : socks) s.close();
                    }
                    c.process().destroy();  // SIGTERM, as the EOFs arrive
                    assertTrue(c.process().waitFor(5, TimeUnit.SECONDS),
                            name + ", round " + round + ": cfloor still running 5 s after a SIGTERM sent as its last connections closed");
                    assertEquals(0, c.process().exitValue(), name + ": a SIGTERM ends it with a return from main");
                }
            }
        }
    }

    private static void readUntil(InputStream in, String marker) throws IOException {
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[512];
        while (got.indexOf(marker) < 0) {
            int n = in.read(buf);
            if (n < 0) throw new IOException("EOF before " + marker + ": " + got);
            got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pipelinedSixteenAreAnsweredInOrderAsEdgepollDoes() throws Exception {
        assumeGcc();
        byte[] sixteen = ascii("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(16));
        try (Server ep = edgepoll(); CPeer c = CPeer.start("http", "c-et")) {
            byte[] want = keepAliveReply(ep.port(), new String(sixteen, StandardCharsets.US_ASCII));
            byte[] got = exchange(c.port(), sixteen, want.length);
            assertEquals(undated(want), undated(got));
            assertEquals(16, undated(got).split("Hello, world!", -1).length - 1);
            ep.stop();
        }
    }

    @Test
    void keepAliveConnectionServesManyRequestsAndARealClientAgrees() throws Exception {
        assumeGcc();
        try (CPeer c = CPeer.start("http", "c-lt")) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
            for (int i = 0; i < 20; i++) {  // the client's pool keeps one connection: keep-alive
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + "/"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("Hello, world!", r.body());
                assertEquals("text/plain", r.headers().firstValue("content-type").orElse(""));
            }
        }
        String curl = Cli.onPath("curl");
        if (curl == null) {
            System.err.println("CFloorTest: curl part skipped, curl is not installed");
            return;
        }
        try (Server ep = edgepoll(); CPeer c = CPeer.start("http", "c-et")) {
            String want = Workloads.exec(List.of(curl, "-s", "-i", "http://127.0.0.1:" + ep.port() + "/", "http://127.0.0.1:" + ep.port() + "/"), 20);
            String got = Workloads.exec(List.of(curl, "-s", "-i", "http://127.0.0.1:" + c.port() + "/", "http://127.0.0.1:" + c.port() + "/"), 20);
            assertEquals(undated(ascii(want)), undated(ascii(got)));
            ep.stop();
        }
    }

    @Test
    void echoUpperCasesAsEdgepollDoes() throws Exception {
        assumeGcc();
        byte[] small = ascii("Hello, World! abc xyz {|} 0123\n");
        byte[] big = new byte[256 * 1024];  // more than a socket buffer and the 16 KiB output buffer: backpressure
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + (i >> 7));
        try (Server ep = edgepoll("--protocol", "echo")) {
            for (String name : List.of("c-et", "c-et-short-read", "c-lt")) {
                try (CPeer c = CPeer.start("echo", name)) {
                    for (byte[] msg : List.of(small, big)) {
                        byte[] want = echo(ep.port(), msg), got = echo(c.port(), msg);
                        assertEquals(msg.length, got.length, name);
                        assertArrayEquals(want, got, name);
                    }
                }
            }
            ep.stop();
        }
        assertArrayEquals(ascii("HELLO, WORLD! ABC XYZ {|} 0123\n"), upper(small));
    }

    private static byte[] upper(byte[] b) {
        byte[] u = b.clone();
        for (int i = 0; i < u.length; i++) if (u[i] >= 'a' && u[i] <= 'z') u[i] -= 32;
        return u;
    }

    /** Writes {@code msg} from one thread while this one reads the echo, so neither side's buffers deadlock. */
    private static byte[] echo(int port, byte[] msg) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    s.getOutputStream().write(msg);
                } catch (IOException ignored) {
                    // the read side reports the short echo
                }
            });
            byte[] got = s.getInputStream().readNBytes(msg.length);
            writer.join(5000);
            return got;
        }
    }

    // ---- syscalls per request -------------------------------------------------------------------

    static final int PACED = 150;

    /**
     * One keep-alive connection, one request at a time, 2 ms apart: each request finds the server
     * asleep in epoll_wait, the low-concurrency case where every policy is exactly at its floor.
     * The pacing is the load's shape (an open-loop rate), not a wait for a condition: each reply is
     * read before the next request goes out.
     */
    private static void pacedRequests(int port, int n) throws IOException {
        byte[] req = ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            for (int i = 0; i < n; i++) {
                out.write(req);
                int got = 0;
                while (got == 0 || !new String(buf, 0, got, StandardCharsets.US_ASCII).endsWith("Hello, world!")) {
                    int r = in.read(buf, got, buf.length - got);
                    if (r < 0) throw new IOException("closed after " + i + " requests");
                    got += r;
                }
                LockSupport.parkNanos(2_000_000);
            }
        }
    }

    @Test
    void syscallsPerRequestEqualEdgepollsInEachPolicy() throws Exception {
        assumeGcc();
        String strace = Cli.onPath("strace");
        if (strace == null) System.err.println("CFloorTest: syscall part skipped, strace is not installed");
        assumeTrue(strace != null, "strace is not installed");
        Map<String, String[]> policies = Map.of(
                "c-et", new String[] {"--mode", "et"},
                "c-et-short-read", new String[] {"--mode", "et", "--drain", "short-read"},
                "c-lt", new String[] {"--mode", "lt"});
        Map<String, double[]> floors = Map.of(  // read, sendto, epoll_wait per request at the floor
                "c-et", new double[] {2, 1, 1}, "c-et-short-read", new double[] {1, 1, 1}, "c-lt", new double[] {1, 1, 1});
        StringBuilder table = new StringBuilder();
        for (String name : List.of("c-et", "c-et-short-read", "c-lt")) {
            double[] ep = edgepollPerRequest(policies.get(name));
            double[] c = cPerRequest(strace, name);
            table.append(String.format(Locale.ROOT, "%-16s read %.3f / %.3f, sendto %.3f / %.3f, epoll_wait %.3f / %.3f (C / edgepoll)%n",
                    name, c[0], ep[0], c[1], ep[1], c[2], ep[2]));
            for (int k = 0; k < 3; k++) {
                assertEquals(ep[k], c[k], 0.05, name + ": C and edgepoll differ\n" + table);
                assertEquals(floors.get(name)[k], c[k], 0.05, name + ": not at the floor\n" + table);
            }
        }
        System.err.print("CFloorTest: syscalls per request, " + PACED + " paced keep-alive requests\n" + table);
    }

    /** edgepoll's own counters (read, sendto, epoll_wait) per request over paced requests. */
    private static double[] edgepollPerRequest(String[] args) throws Exception {
        try (Server ep = edgepoll(args)) {
            pacedRequests(ep.port(), 5);  // connect and warm up outside the window
            SyscallCounters a = ep.liveStats().total();
            pacedRequests(ep.port(), PACED);
            SyscallCounters b = ep.stop().total();
            double n = b.requests() - a.requests();
            assertEquals(PACED, n, 0.5);
            // besides the requests the window holds a connection's accept, EOF read and close, a few calls: within the tolerance
            return new double[] {(b.calls(Sys.READ) - a.calls(Sys.READ)) / n, (b.calls(Sys.SEND) - a.calls(Sys.SEND)) / n,
                    (b.calls(Sys.EPOLL_WAIT) - a.calls(Sys.EPOLL_WAIT)) / n};
        }
    }

    /** strace -c on the C peer over the same paced requests. */
    private static double[] cPerRequest(String strace, String name) throws Exception {
        try (CPeer c = CPeer.start("http", name)) {
            pacedRequests(c.port(), 5);
            Path summary = Files.createTempFile("cfloor-strace", ".txt");
            try {
                Process st = new ProcessBuilder(strace, "-c", "-p", String.valueOf(c.process().pid()), "-o", summary.toString())
                        .redirectErrorStream(true).start();
                BufferedReader err = new BufferedReader(new InputStreamReader(st.getInputStream(), StandardCharsets.US_ASCII));
                String line = err.readLine();  // "strace: Process N attached": counting from here
                assertTrue(line != null && line.contains("attached"), "strace: " + line);
                pacedRequests(c.port(), PACED);
                st.destroy();  // SIGTERM: strace detaches and writes the summary
                assertTrue(st.waitFor(10, TimeUnit.SECONDS), "strace did not stop");
                Map<String, Long> calls = Probes.parseStraceSummary(Files.readString(summary));
                double n = PACED;
                return new double[] {calls.getOrDefault("read", 0L) / n, calls.getOrDefault("sendto", 0L) / n,
                        calls.getOrDefault("epoll_wait", 0L) / n};
            } finally {
                Files.deleteIfExists(summary);
            }
        }
    }
}
