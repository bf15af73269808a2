package edgepoll.server;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import edgepoll.server.testkit.Echo;
import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Seeds 002/003: every byte comes back upper-cased, in order, however the stream is cut. */
class EchoTest {

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void linesComeBackUpperCased(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--protocol", "echo"); RawClient c = new RawClient(s.port())) {
            c.send("hello, World 123 \u00e9z{}\n");
            byte[] expected = Echo.upper("hello, World 123 \u00e9z{}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            byte[] got = c.socket.getInputStream().readNBytes(expected.length);
            assertArrayEquals(expected, got);
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void sixtyFourMebibytesOfRandomBytesEchoWhileWritingAndReadingConcurrently(String variant) throws Exception {
        int size = 64 << 20;
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        byte[] expectedDigest = MessageDigest.getInstance("SHA-256").digest(Echo.upper(data));
        try (ServerHandle s = ServerHandle.start(variant, "--protocol", "echo"); RawClient c = new RawClient(s.port(), 30_000)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < size; off += 1 << 20) c.socket.getOutputStream().write(data, off, 1 << 20);
                    c.socket.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            InputStream in = c.socket.getInputStream();
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                total += n;
            }
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(size, total, "bytes echoed before the server closed");
            assertArrayEquals(expectedDigest, md.digest(), "SHA-256 of the echo equals that of the upper-cased input");
            c.close();
            Stats st = s.stop();
            assertEquals(size, st.total().bytesIn());  // by read(2) and send(2), or by ring requests (uring)
            assertEquals(size, st.total().bytesOut());
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void clientClosingMidStreamLeavesNothingBehind(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--protocol", "echo")) {
            for (int i = 0; i < 20; i++) {
                RawClient c = new RawClient(s.port());
                c.send(new byte[200_000]);  // more than the socket buffers hold without reading
                c.socket.setSoLinger(true, 0);
                c.close();  // RST with data in flight both ways
            }
            try (RawClient c = new RawClient(s.port())) {
                c.send("still here");
                assertEquals("STILL HERE", new String(c.socket.getInputStream().readNBytes(10), java.nio.charset.StandardCharsets.US_ASCII));
            }
            // every connection closed server-side before the leak check: the 20 reset ones and this one
            Live.awaitAllClosed(s);
        }
    }
}
