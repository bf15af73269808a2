package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad requests get a proper status, then the connection is closed; nothing leaks, the loop goes on. */
class HttpErrorsTest {

    private static void expect(ServerHandle s, String request, int status) throws Exception {
        try (RawClient c = new RawClient(s.port())) {
            c.send(request);
            String all = new String(c.readToEof(), StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 " + status + " "), "for " + request.replace("\r\n", "\\r\\n").substring(0, Math.min(60, request.length())) + " got: " + all);
            assertTrue(all.contains("\r\nConnection: close\r\n"), all);
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void malformedRequestsGet400AndAClose(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant)) {
            expect(s, "GARBAGE\r\n\r\n", 400);
            expect(s, "GET /\r\n\r\n", 400);
            expect(s, "GET / FTP/1.1\r\n\r\n", 400);
            expect(s, "GET  / HTTP/1.1\r\n\r\n", 400);
            expect(s, "GET / HTTP/1.1\r\nNo-Colon\r\n\r\n", 400);
            expect(s, "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 400);
            expect(s, "GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400);
            expect(s, "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400);
            expect(s, "GET / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", 400);
            expect(s, "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400);
            expect(s, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
            // ...and the server still answers normally afterwards
            try (RawClient c = new RawClient(s.port())) {
                c.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(false).status());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void oversizedHeadersGet431(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant)) {
            expect(s, "GET / HTTP/1.1\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", 431);
            // a head that never ends, over the limit, is refused without waiting for its end
            expect(s, "GET / HTTP/1.1\r\nX-Big: " + "a".repeat(20000), 431);
        }
        try (ServerHandle s = ServerHandle.start(variant, "--max-header-bytes", "256")) {
            expect(s, "GET / HTTP/1.1\r\nX: " + "a".repeat(300) + "\r\n\r\n", 431);
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void chunkedGets501AndOtherVersionsGet505(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant)) {
            expect(s, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501);
            expect(s, "GET / HTTP/2.0\r\n\r\n", 505);
        }
    }
}
