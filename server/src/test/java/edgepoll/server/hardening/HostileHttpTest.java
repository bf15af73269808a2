package edgepoll.server.hardening;

import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Case 8, explicit hostile inputs: each gets a 4xx (or 505) and a closed connection, never a hang. */
class HostileHttpTest {

    private static void expect(int port, byte[] request, String status) throws Exception {
        try (RawClient c = new RawClient(port, 10_000)) {
            try {
                c.send(request);
            } catch (java.io.IOException e) {
                // the server may answer and close before a huge request is fully written
            }
            String all = new String(c.readToEof(), StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 " + status), "expected " + status + " for "
                    + new String(request, 0, Math.min(40, request.length), StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n") + ", got: " + all);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void hostileRequestsGetAnErrorAndAClose(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant)) {
            int p = s.port();
            expect(p, b("x".repeat(9000)), "431");                                   // no CRLF at all
            expect(p, b("GET /\0 HTTP/1.1\r\n\r\n"), "400");                         // NUL in the target
            expect(p, b("GET / HTTP/1.1\r\nX: " + "a".repeat(1 << 20) + "\r\n\r\n"), "431");  // 1 MB header line
            expect(p, b("GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n"), "400");
            expect(p, b("GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"), "400");
            expect(p, b("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), "400");
            expect(p, b("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), "400");
            expect(p, b("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), "505");                 // HTTP/2 preface
            byte[] hello = new byte[517];                                          // a TLS ClientHello record
            hello[0] = 0x16; hello[1] = 0x03; hello[2] = 0x01; hello[3] = 0x02; hello[4] = 0x00; hello[5] = 0x01;
            for (int i = 6; i < hello.length; i++) hello[i] = (byte) (i * 31);
            hello[300] = '\n';
            hello[301] = '\n';
            expect(p, hello, "400");
            expect(p, b("GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(10_000) + "\r\n"), "431");  // 10,000 tiny headers
            try (RawClient ok = new RawClient(p)) {  // still serving
                ok.send("GET / HTTP/1.0\r\n\r\n");
                assertTrue(new String(ok.readToEof(), StandardCharsets.ISO_8859_1).endsWith("Hello, world!"));
            }
        }
    }
}
