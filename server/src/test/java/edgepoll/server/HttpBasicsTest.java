package edgepoll.server;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The seed's hello world over real clients, in every loop variant. */
class HttpBasicsTest {

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void javaHttpClientGetsHelloWorldWithDateAndServer(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .connectTimeout(Duration.ofSeconds(5)).build()) {
            URI uri = URI.create("http://127.0.0.1:" + s.port() + "/");
            for (int i = 0; i < 20; i++) {  // one keep-alive connection, many requests
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("Hello, world!", r.body());
                assertEquals("text/plain", r.headers().firstValue("content-type").orElseThrow());
                assertEquals("13", r.headers().firstValue("content-length").orElseThrow());
                assertEquals("edgepoll", r.headers().firstValue("server").orElseThrow());
                ZonedDateTime date = ZonedDateTime.parse(r.headers().firstValue("date").orElseThrow(),
                        DateTimeFormatter.RFC_1123_DATE_TIME);
                assertTrue(Math.abs(date.toEpochSecond() - System.currentTimeMillis() / 1000) <= 2, "Date is now: " + date);
            }
            client.close();  // its pooled connection and selector fds, before the server's leak check
            Stats st = s.stop();
            assertEquals(20, st.total().requests());
            assertEquals(1, st.total().accepted(), "HttpClient kept one connection alive");
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void curlGetsTheSeedsResponse(String variant) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), () -> {
            System.err.println("SKIPPED curl test: /usr/bin/curl missing (.ci/run installs it)");
            return "curl missing";
        });
        try (ServerHandle s = ServerHandle.start(variant)) {
            Process p = new ProcessBuilder("curl", "-si", "--max-time", "5", "http://127.0.0.1:" + s.port() + "/")
                    .redirectErrorStream(true).start();
            String out;
            try (var stdout = p.getInputStream(); var stdin = p.getOutputStream(); var stderr = p.getErrorStream()) {
                out = new String(stdout.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
            assertTrue(out.contains("\r\nContent-Length: 13\r\n"), out);
            assertTrue(out.endsWith("\r\n\r\nHello, world!"), out);
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void headGetsHeadersOnlyThenTheConnectionStaysUsable(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant); RawClient c = new RawClient(s.port())) {
            c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = c.readResponse(true);
            assertEquals(200, r.status());
            assertEquals("13", r.header("Content-Length"));
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("Hello, world!", c.readResponse(false).bodyText(), "no body bytes leaked from HEAD");
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void http10ClosesAfterTheResponseUnlessKeepAliveIsAsked(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant)) {
            try (RawClient c = new RawClient(s.port())) {
                c.send("GET / HTTP/1.0\r\n\r\n");
                String all = new String(c.readToEof(), StandardCharsets.ISO_8859_1);
                assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
                assertTrue(all.contains("\r\nConnection: close\r\n"), all);
                assertTrue(all.endsWith("Hello, world!"), all);
            }
            try (RawClient c = new RawClient(s.port())) {
                c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawClient.Response r = c.readResponse(false);
                assertEquals("keep-alive", r.header("Connection"));
                c.send("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
                assertEquals(200, c.readResponse(false).status(), "second request on the same HTTP/1.0 connection");
            }
            try (RawClient c = new RawClient(s.port())) {
                c.send("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n");
                String all = new String(c.readToEof(), StandardCharsets.ISO_8859_1);
                assertEquals(1, all.split("HTTP/1.1 200", -1).length - 1, "nothing answered after Connection: close: " + all);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void seedStyleLfOnlyRequestIsComplete(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant); RawClient c = new RawClient(s.port())) {
            c.send("GET / HTTP/1.1\n\n");
            assertEquals(200, c.readResponse(false).status());
            c.send("GET / HTTP/1.1\nHost: x\n\r\n");
            assertEquals(200, c.readResponse(false).status());
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void requestBodyWithContentLengthIsReadAndDiscarded(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant); RawClient c = new RawClient(s.port())) {
            String body = "x".repeat(100_000);  // larger than one buffer: spans reads
            c.send("POST / HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body + "GET / HTTP/1.1\r\n\r\n");
            assertEquals(200, c.readResponse(false).status());
            assertEquals(200, c.readResponse(false).status());
            c.close();
            assertEquals(2, s.stop().total().requests(), "the body was not parsed as requests");
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void requestSplitIntoSingleBytesWithPausesIsAnswered(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant); RawClient c = new RawClient(s.port())) {
            byte[] req = "GET /split HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            long sent = 0;
            for (byte b : req) {
                c.send(new byte[] {b});
                long upTo = ++sent;
                // the server has read this byte before the next one leaves: one byte per read, for certain
                Live.await(s, "the server to read byte " + upTo, st -> st.bytesIn() >= upTo);
            }
            RawClient.Response r = c.readResponse(false);
            assertEquals(200, r.status());
            assertEquals(variant.equals("blocking") ? "close" : null, r.header("Connection"));
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void largeResponseReachesASlowReaderWhole(String variant) throws Exception {
        int size = 8 << 20;
        try (ServerHandle s = ServerHandle.start(variant, "--response-size", Integer.toString(size));
             RawClient c = new RawClient(s.port(), 20_000)) {
            c.socket.setReceiveBufferSize(16 << 10);
            c.send("GET / HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\n\r\n");
            Live.awaitSendStalled(s, variant, c.socket);  // the server filled the socket buffers: EAGAIN on send, or its model's equivalent
            RawClient.Response r = c.readResponse(false);
            assertEquals(Integer.toString(size), r.header("Content-Length"));
            assertEquals(size, r.body().length);
            byte[] hello = "Hello, world!".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < size; i += 4099) assertEquals(hello[i % 13], r.body()[i], "body byte " + i);
            assertEquals(200, c.readResponse(true).status(), "the pipelined HEAD after the large body");
            c.close();
            Stats st = s.stop();
            if (variant.equals("uring")) {  // a ring send waits for room in the kernel: no EAGAIN, the body in few sends
                long sends = st.total().cqes(edgepoll.stats.UringOp.SEND);
                System.out.printf("uring: an 8 MiB body to a slow reader took %d send completions%n", sends);
                assertTrue(sends >= 2 && sends < 100, "the body and the HEAD reply in few ring sends: " + sends);
            } else if (!variant.equals("threads")) {  // blocking sockets block instead of saying EAGAIN
                assertTrue(st.total().eagain(Sys.SEND) > 0, "the send side met EAGAIN at least once");
            }
        }
    }
}
