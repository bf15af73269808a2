package edgepoll.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.TcpSockets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every peer speaks edgepoll's HTTP exactly: headers, keep-alive, pipelining, partial heads, close
 * rules, 431. One server process per peer serves all tests (each on its own connections); they stop
 * with SIGTERM at the end, which must exit 0.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeersHttpTest {
    static final List<String> VARIANTS = PeerProcess.VARIANTS;
    private static final Pattern HEAD = Pattern.compile("HTTP/1\\.1 200 OK\r\nServer: (netty|nio)\r\n"
            + "Date: ([A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT)\r\n"
            + "Content-Type: text/plain\r\nContent-Length: (\\d+)\r\n(Connection: close\r\n)?\r\n");
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final Map<String, PeerProcess> RUNNING = new HashMap<>();

    @TempDir
    static Path tmp;

    static synchronized PeerProcess peer(String variant) throws Exception {
        PeerProcess p = RUNNING.get(variant);
        if (p == null) RUNNING.put(variant, p = PeerProcess.start(tmp, variant, "--protocol", "http"));
        return p;
    }

    @AfterAll
    static void everyPeerExitsZeroOnSigterm() throws Exception {
        for (var e : RUNNING.entrySet()) {
            try (PeerProcess p = e.getValue()) {
                assertEquals(0, p.terminate(), e.getKey() + " exit status; stderr: " + p.stderr());
            }
        }
    }

    /** Asserts one hello-world response, its Date within a few seconds of now; true when it says Connection: close. */
    static boolean assertHello(String variant, RawClient.Response r, int bodySize) {
        Matcher m = HEAD.matcher(r.head());
        assertTrue(m.matches(), variant + " head: " + r.head());
        assertEquals(variant.startsWith("netty") ? "netty" : "nio", m.group(1));
        Instant date = ZonedDateTime.parse(m.group(2), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(Math.abs(Duration.between(date, Instant.now()).toSeconds()) <= 5, "Date " + m.group(2));
        assertEquals(bodySize, Integer.parseInt(m.group(3)));
        String expected = "Hello, world!".repeat(bodySize / 13 + 1).substring(0, bodySize), body = r.bodyText();
        int at = 0;
        while (at < Math.min(expected.length(), body.length()) && expected.charAt(at) == body.charAt(at)) at++;
        assertTrue(at == expected.length() && at == body.length(),
                variant + ": body of " + body.length() + " bytes, expected " + bodySize + ", first difference at " + at);
        return m.group(4) != null;
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void javaHttpClientGetsHelloWorldOverKeepAliveConnections(String variant) throws Exception {
        int port = peer(variant).port;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                .timeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("Hello, world!", r.body());
            assertEquals("text/plain", r.headers().firstValue("content-type").orElseThrow());
            assertEquals("13", r.headers().firstValue("content-length").orElseThrow());
            assertTrue(r.headers().firstValue("date").isPresent() && r.headers().firstValue("server").isPresent());
        }
        List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
        for (int i = 0; i < 50; i++) concurrent.add(client.sendAsync(get, HttpResponse.BodyHandlers.ofString()));
        for (var f : concurrent) assertEquals("Hello, world!", f.get(20, TimeUnit.SECONDS).body());
    }

    @Test
    void theDateHeaderFollowsTheClock() throws Exception {
        Map<String, String> before = new HashMap<>();
        for (String v : VARIANTS) before.put(v, date(v));
        for (String v : VARIANTS) {
            Instant first = ZonedDateTime.parse(before.get(v), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            // a later Date within 5 s (a server may refresh its cached Date once a second)
            Instant later = Await.settle(5_000, () -> ZonedDateTime.parse(date(v), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(),
                    t -> t.isAfter(first));
            assertTrue(later.isAfter(first), v + ": " + first + " then " + later);
        }
    }

    private static String date(String variant) throws Exception {
        try (RawClient c = new RawClient(peer(variant).port)) {
            c.send(GET);
            RawClient.Response r = c.readResponse(false);
            assertHello(variant, r, 13);
            return r.header("Date");
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void sixteenPipelinedRequestsInOneWriteGetSixteenResponsesInOrder(String variant) throws Exception {
        try (RawClient c = new RawClient(peer(variant).port)) {
            for (int round = 0; round < 3; round++) {  // the connection stays usable after each burst
                c.send(GET.repeat(16));
                for (int i = 0; i < 16; i++) assertFalse(assertHello(variant, c.readResponse(false), 13));
            }
            // exactly 16 and nothing more: a closing request after them, then read to the end
            c.send(GET.repeat(16) + "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
            byte[] rest = c.readToEof();
            assertEquals(17, count(new String(rest, StandardCharsets.US_ASCII), "HTTP/1.1 200 OK\r\n"), variant);
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void headsSplitAcrossWritesAndBareLfEndingsAreAnswered(String variant) throws Exception {
        try (RawClient c = new RawClient(peer(variant).port)) {
            byte[] req = GET.getBytes(StandardCharsets.US_ASCII);
            for (byte b : req) {  // one byte per segment, NODELAY on the client
                c.send(new byte[] {b});
                // the peer has read this byte before the next one leaves (the kernel's view: the
                // client's bytes are acknowledged and the server's end holds none unread)
                Await.until(10_000, "the peer to read the byte", () -> {
                    TcpSockets.Entry mine = TcpSockets.clientEnd(c.socket), server = TcpSockets.serverEnd(c.socket);
                    return mine != null && server != null && mine.txQueue() == 0 && server.rxQueue() == 0 ? true : null;
                });
            }
            assertHello(variant, c.readResponse(false), 13);
            c.send("\r\nGET /a HTTP/1.1\n\nGET /b HTTP/1.1\r\nX: y\n\r\nGET /c HTTP/1.1\r\n");
            assertHello(variant, c.readResponse(false), 13);
            assertHello(variant, c.readResponse(false), 13);
            c.send("\r\n");
            assertHello(variant, c.readResponse(false), 13);
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void connectionCloseAndPlainHttp10CloseAfterTheirResponse(String variant) throws Exception {
        int port = peer(variant).port;
        for (String request : List.of("GET / HTTP/1.1\r\nconnection: Close\r\n\r\nGET /unanswered HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.0\r\n\r\n")) {
            try (RawClient c = new RawClient(port)) {
                c.send(request);
                assertTrue(assertHello(variant, c.readResponse(false), 13), "Connection: close in the reply");
                assertEquals(0, c.readToEof().length, "closed, nothing answered after the closing request");
            }
        }
        try (RawClient c = new RawClient(port)) {
            for (int i = 0; i < 3; i++) {
                c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                assertFalse(assertHello(variant, c.readResponse(false), 13), "HTTP/1.0 keep-alive stays open");
            }
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void anOversizedHeadGets431AndAClose(String variant) throws Exception {
        try (RawClient c = new RawClient(peer(variant).port)) {
            c.send("GET / HTTP/1.1\r\nX-Big: " + "a".repeat(HttpReplies.MAX_HEAD_BYTES) + "\r\n\r\n");
            String all = new String(c.readToEof(), StandardCharsets.US_ASCII);
            assertEquals(new String(HttpReplies.TOO_LARGE, StandardCharsets.US_ASCII), all);
        }
        try (RawClient c = new RawClient(peer(variant).port)) {  // the limit leaves normal heads alone
            c.send("GET / HTTP/1.1\r\nX-Big: " + "a".repeat(HttpReplies.MAX_HEAD_BYTES - 100) + "\r\n\r\n");
            assertHello(variant, c.readResponse(false), 13);
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void largePipelinedResponsesSurviveShortWrites(String variant) throws Exception {
        int size = 1_000_000;  // 16 of them is 16 MB: far past the socket buffers, so writes come up short
        try (PeerProcess p = PeerProcess.start(tmp, variant, "--response-size", Integer.toString(size));
             RawClient c = new RawClient(p.port)) {
            c.send(GET.repeat(16));
            // the server filled the socket and must wait for writability (the kernel's view: replies
            // queued unacknowledged on its end, unread on the client's)
            Await.until(20_000, "the peer's replies to fill the socket", () -> {
                TcpSockets.Entry mine = TcpSockets.clientEnd(c.socket), server = TcpSockets.serverEnd(c.socket);
                return mine != null && server != null && server.txQueue() > 0 && mine.rxQueue() > 0 ? true : null;
            });
            for (int i = 0; i < 16; i++) assertHello(variant, c.readResponse(false), size);
            c.send(GET);
            assertHello(variant, c.readResponse(false), size);
            assertEquals(0, p.terminate(), p.stderr());
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void curlReusesOneConnectionForTwoRequests(String variant) throws Exception {
        String curl = onPath("curl");
        if (curl == null) {
            System.err.println("SKIPPED curl check for " + variant + ": curl is not installed");
            org.junit.jupiter.api.Assumptions.abort("curl is not installed");
        }
        String url = "http://127.0.0.1:" + peer(variant).port + "/";
        Process p = new ProcessBuilder(curl, "-sv", "--max-time", "10", url, url).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(15, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("Hello, world!Hello, world!", out);
        assertEquals(1, count(err, "Connected to"), "one connection for both requests:\n" + err);
    }

    static String onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return Path.of(dir, tool).toString();
        }
        return null;
    }

    static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }
}
