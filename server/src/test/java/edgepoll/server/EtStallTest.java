package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import edgepoll.config.Options;
import edgepoll.server.testkit.Echo;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ET stall, runnable (seed 001: "2 kB written, 1 kB read"): with one read per edge
 * ({@code --drain naive}) the bytes beyond the first read stay in the socket and no new edge comes
 * for them, so the server answers only when the client sends more. The correct drains (strict,
 * short-read) answer at once. Reads are one slice: --buffer-size 1024 --max-header-bytes 1024.
 */
@Timeout(60)
class EtStallTest {
    private static final String[] SMALL_READS = {"--buffer-size", "1024", "--max-header-bytes", "1024"};
    /** How long "does not answer" is watched for: long enough for any answer on loopback. */
    private static final int QUIET_MS = 400;

    private static ServerHandle start(String drain, String protocol) throws Exception {
        String[] flags = new String[SMALL_READS.length + 4];
        System.arraycopy(SMALL_READS, 0, flags, 0, SMALL_READS.length);
        System.arraycopy(new String[] {"--drain", drain, "--protocol", protocol}, 0, flags, SMALL_READS.length, 4);
        return ServerHandle.start("et", flags);
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + i % 26);
        return b;
    }

    @Test
    void naiveEchoReturnsOnlyTheFirstReadUntilTheClientSendsMore() throws Exception {
        try (ServerHandle s = start("naive", "echo"); RawClient c = new RawClient(s.port(), 10_000)) {
            byte[] data = pattern(2048);
            c.send(data);  // one write, one segment on loopback: one edge
            InputStream in = c.socket.getInputStream();
            byte[] first = in.readNBytes(1024);
            assertArrayEquals(Echo.upper(Arrays.copyOf(data, 1024)), first, "the first read comes back");
            c.socket.setSoTimeout(QUIET_MS);
            assertThrows(SocketTimeoutException.class, in::read, "the second kB stays in the socket: no edge, no read");
            c.socket.setSoTimeout(10_000);
            c.send("!");  // a new edge: one more read, of the oldest bytes
            byte[] second = in.readNBytes(1024);
            assertArrayEquals(Echo.upper(Arrays.copyOfRange(data, 1024, 2048)), second, "the stalled kB, only now");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"strict", "short-read"})
    void correctDrainsEchoTheWholeWriteAtOnce(String drain) throws Exception {
        try (ServerHandle s = start(drain, "echo"); RawClient c = new RawClient(s.port(), 10_000)) {
            byte[] data = pattern(2048);
            c.send(data);
            assertArrayEquals(Echo.upper(data), c.socket.getInputStream().readNBytes(2048));
        }
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    private static String post(int bodyBytes) {
        return "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + bodyBytes + "\r\n\r\n" + "b".repeat(bodyBytes);
    }

    /**
     * HTTP answers a request once its head is parsed, so the bytes one read leaves behind stall the
     * next request: a POST with a 1,500-byte body and a GET in one write (about 1.6 kB) get one
     * answer from the naive drain; the GET sits in the socket until the client sends more.
     */
    @Test
    void naiveHttpLeavesTheRequestBeyondTheFirstReadUnansweredUntilMoreBytesArrive() throws Exception {
        try (ServerHandle s = start("naive", "http"); RawClient c = new RawClient(s.port(), 10_000)) {
            c.send(post(1500) + GET);
            assertEquals(200, c.readResponse(false).status(), "the POST, whose head was in the first read");
            c.socket.setSoTimeout(QUIET_MS);
            assertThrows(SocketTimeoutException.class, () -> c.readResponse(false), "the GET beyond the first read: no edge, no answer");
            c.socket.setSoTimeout(10_000);
            c.send(GET);  // more bytes: an edge, one read, and the stalled GET is answered (this one stays behind)
            assertEquals(200, c.readResponse(false).status());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"strict", "short-read"})
    void correctDrainsAnswerBothRequestsAtOnce(String drain) throws Exception {
        try (ServerHandle s = start(drain, "http"); RawClient c = new RawClient(s.port(), 10_000)) {
            c.send(post(1500) + GET);
            assertEquals(200, c.readResponse(false).status());
            assertEquals(200, c.readResponse(false).status());
        }
    }

    @Test
    void naiveIsAcceptedOnlyWhenNamedAndOnlyForEt() {
        assertEquals(false, Options.DRAINS.contains(Options.NAIVE_DRAIN), "nothing that walks DRAINS gets the broken drain");
        assertEquals(true, Options.parse(new String[] {"--drain", "naive"}).naiveDrain());
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--mode", "lt", "--drain", "naive"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--drain", "lazy"}));
    }
}
