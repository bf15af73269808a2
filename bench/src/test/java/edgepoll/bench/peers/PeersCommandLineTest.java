package edgepoll.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The peers' flags as the harness meets them: one line and exit 2 for a bad flag, exit 1 when the port is taken. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeersCommandLineTest {
    private static String run(int expectedExit, String variant, String... args) throws Exception {
        Process p = new ProcessBuilder(PeerProcess.command(variant, args)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), out + err);
        return expectedExit == 0 ? out : err;
    }

    @Test
    void badFlagsPrintOneLineAndExitTwo() throws Exception {
        assertEquals("NettyServer: unknown option: --bogus\n", run(2, "netty-et", "--bogus"));
        assertEquals("NettyServer: --mode must be one of et|lt, not 'turbo'\n", run(2, "netty-et", "--mode", "turbo"));
        assertEquals("NioServer: unknown option: --mode\n", run(2, "nio", "--mode", "et"));
        assertEquals("NioServer: --port must be between 0 and 65535, not 70000\n", run(2, "nio", "--port", "70000"));
        assertEquals("NioServer: --protocol needs a value\n", run(2, "nio", "--protocol"));
    }

    @Test
    void helpPrintsUsageAndExitsZero() throws Exception {
        assertTrue(run(0, "netty-et", "--help").startsWith("usage: NettyServer "));
        assertTrue(run(0, "nio", "--help").startsWith("usage: NioServer "));
    }

    @Test
    void aTakenPortIsOneLineAndExitOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String port = Integer.toString(taken.getLocalPort());
            for (String variant : PeerProcess.VARIANTS) {
                String err = run(1, variant, "--port", port);
                String lastLine = err.strip().substring(err.strip().lastIndexOf('\n') + 1);  // after the JDK's Unsafe warnings
                assertTrue(lastLine.matches("(NettyServer|NioServer): cannot listen on 127\\.0\\.0\\.1:" + port + ": .*"
                        + "(Address already in use|EADDRINUSE).*"), variant + ": " + err);
            }
        }
    }
}
