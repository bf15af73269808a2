package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.server.testkit.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The seeds' client, piped (non-interactive), round-trips lines against echo in every mode. */
class ClientTest {

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#all")
    void clientRoundTripsLinesAgainstEcho(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--protocol", "echo")) {
            Process p = new ProcessBuilder(ServerProcess.command("client", "--port", Integer.toString(s.port()))).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write("hello, world\nsecond Line 2\n\nlast\n".getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // closed here: after the exit the JDK's reaper closes them too, but only after waitFor
            // has returned, so the leak check could still find the pipes open
            p.getInputStream().close();
            p.getErrorStream().close();
            assertEquals(true, p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals("HELLO, WORLD\nSECOND LINE 2\n\nLAST\n", out);
            Live.awaitClosed(s, 1);  // the client process exited: the server sees its FIN and closes, before the leak check
        }
    }

    @org.junit.jupiter.api.Test
    void clientBadFlagExitsTwoAndRefusedConnectionExitsOne() throws Exception {
        Process p = new ProcessBuilder(ServerProcess.command("client", "--bogus")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        assertEquals(2, p.exitValue(), out);
        assertEquals("edgepoll: client: unknown option: --bogus (client takes --host and --port)\n", out);
        int closedPort;
        try (var ss = new java.net.ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        p = new ProcessBuilder(ServerProcess.command("client", "--port", Integer.toString(closedPort))).redirectErrorStream(true).start();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        assertEquals(1, p.exitValue(), out);
        assertEquals("edgepoll client: cannot connect to 127.0.0.1:" + closedPort + ": Connection refused (ECONNREFUSED)\n", out);
    }

    /** Pointed at the HTTP server, the client says what it is waiting for instead of hanging silently. */
    @org.junit.jupiter.api.Test
    void clientAgainstAnHttpServerSaysSo() throws Exception {
        try (ServerHandle s = ServerHandle.start("et", "--header-timeout", "4s")) {
            Process p = new ProcessBuilder(ServerProcess.command("client", "--port", Integer.toString(s.port()))).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write("hello\n".getBytes(StandardCharsets.UTF_8));
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(true, p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), err);
            assertTrue(err.contains("this client speaks the echo protocol (start the server with --protocol echo)"), err);
            assertTrue(err.contains("server closed the connection"), "the header timeout ends it: " + err);
            // The child's stdout and stderr pipes were opened inside the server's fd-leak window; the
            // JDK's process reaper closes them only some time after the exit (under load, after the
            // leak check had seen them: "pipe:[...]" twice). Closed here, they are not the server's.
            p.getInputStream().close();
            p.getErrorStream().close();
        }
    }
}
