package edgepoll.bench.peers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import edgepoll.server.testkit.Echo;
import edgepoll.server.testkit.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every peer echoes byte streams upper-cased, in order, whole, however they are cut. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeersEchoTest {
    static final java.util.List<String> VARIANTS = PeerProcess.VARIANTS;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void echoesSmallWritesAndAMegabyteOfAllByteValuesUpperCased(String variant) throws Exception {
        try (PeerProcess p = PeerProcess.start(tmp, variant, "--protocol", "echo")) {
            try (RawClient c = new RawClient(p.port)) {
                c.send("hello, World! az AZ {`@[\n");
                assertEquals("HELLO, WORLD! AZ AZ {`@[\n", new String(read(c.socket.getInputStream(), 25), StandardCharsets.US_ASCII));
            }
            byte[] data = new byte[1 << 20];
            new Random(42).nextBytes(data);
            try (RawClient c = new RawClient(p.port)) {
                // written in uneven pieces while the reply is read: neither side can stall the other
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        for (int at = 0, n = 1; at < data.length; at += n, n = n * 3 % 65521 + 1) {
                            c.socket.getOutputStream().write(data, at, Math.min(n, data.length - at));
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                byte[] back = read(c.socket.getInputStream(), data.length);
                writer.get(30, TimeUnit.SECONDS);
                assertArrayEquals(Echo.upper(data), back, variant);
            }
            assertEquals(0, p.terminate(), p.stderr());
        }
    }

    private static byte[] read(InputStream in, int n) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        byte[] buf = new byte[65536];
        while (out.size() < n) {
            int r = in.read(buf, 0, Math.min(buf.length, n - out.size()));
            if (r < 0) throw new java.io.EOFException("EOF after " + out.size() + " of " + n + " bytes");
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }
}
