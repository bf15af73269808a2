package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: first line, signals, exit codes, one-line errors. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MainProcessTest {
    @TempDir
    Path tmp;

    /** Runs the command line to its end (at most 20 s: a server that starts instead of exiting is killed, and fails). */
    private String run(int expectedExit, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Process p = new ProcessBuilder(ServerProcess.command(args)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ended = p.waitFor(20, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(ended, "still running after 20 s: " + text);
        assertEquals(expectedExit, p.exitValue(), text);
        return text;
    }

    @Test
    void listensPrintsTheFirstLineServesAndExitsZeroOnSigtermWithStats() throws Exception {
        Path stats = tmp.resolve("stats.json");
        Path err = tmp.resolve("stderr.txt");
        try (ServerProcess sp = ServerProcess.start(err, "--port", "0", "--mode", "lt", "--stats-json", stats.toString())) {
            String first = sp.firstLine();
            assertTrue(first != null && Pattern.matches("listening on 127\\.0\\.0\\.1:\\d+ mode=lt drain=level protocol=http loops=1", first),
                    "first line: " + first + "\nstderr: " + Files.readString(err));
            try (RawClient c = new RawClient(ServerProcess.port(first))) {
                for (int i = 0; i < 3; i++) {
                    c.send("GET / HTTP/1.1\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                }
            }
            assertEquals(0, sp.terminate(), "exit status after SIGTERM");
        }
        String json = Files.readString(stats);
        assertTrue(json.contains("\"requests\": 3"), json);
        assertTrue(json.contains("\"connections_accepted\": 1"), json);
        assertTrue(json.contains("\"read\": {\"calls\""), json);
        String table = Files.readString(err);
        assertTrue(table.contains("epoll_wait") && table.contains("3 requests"), table);
    }

    @Test
    void badFlagPrintsOneLineAndUsageAndExitsTwo() throws Exception {
        String out = run(2, "--bogus");
        assertTrue(out.startsWith("edgepoll: unknown option: --bogus\nusage:"), out);
        out = run(2, "--mode", "turbo");
        assertTrue(out.startsWith("edgepoll: --mode must be one of et|lt|poll|busy-poll|blocking|threads|virtual-threads|uring, not 'turbo'\n"), out);
        out = run(2, "--port", "70000");
        assertTrue(out.startsWith("edgepoll: --port must be between 0 and 65535, not 70000\n"), out);
        out = run(2, "--port");
        assertTrue(out.startsWith("edgepoll: --port needs a value\n"), out);
    }

    /**
     * A reply that cannot fit a connection's output buffer is refused at start (issue 24): the
     * protocol waits for that much free room before it answers, so such a server accepted requests
     * and never answered one.
     */
    @Test
    void aReplyLargerThanTheConnectionBufferIsRefusedAtStart() throws Exception {
        String out = run(2, "--port", "0", "--buffer-size", "1024", "--max-header-bytes", "1024", "--response-size", "2048");
        assertTrue(out.startsWith("edgepoll: --response-size 2048 needs 2304 bytes of output buffer for its reply, more than"
                + " max(--buffer-size, --max-header-bytes) = 1024; raise --buffer-size to at least 2304\n"), out);
        out = run(2, "--port", "0", "--buffer-size", "64", "--max-header-bytes", "64");
        assertTrue(out.startsWith("edgepoll: --response-size 13 needs 269 bytes"), out);
        // the sizes it names are enough: the 2048-byte body is served from a 2304-byte buffer
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), "--port", "0", "--buffer-size", "2304",
                "--max-header-bytes", "1024", "--response-size", "2048");
             RawClient c = new RawClient(ServerProcess.port(sp.firstLine()), 10_000)) {
            c.send("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
            for (int i = 0; i < 2; i++) assertEquals(2048, c.readResponse(false).body().length);
        }
        // echo queues no prebuilt reply: small buffers stay allowed there
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err2"), "--port", "0", "--protocol", "echo",
                "--buffer-size", "64", "--max-header-bytes", "64")) {
            assertTrue(sp.firstLine().startsWith("listening on"));
        }
    }

    @Test
    void helpListsEveryOptionWithItsDefault() throws Exception {
        String out = run(0, "--help");
        for (String flag : new String[] {"--mode", "--drain", "--protocol", "--bind", "--port", "--loops", "--backlog",
                "--buffer-size", "--max-events", "--nodelay", "--cork", "--idle-timeout", "--stats-json",
                "--response-size", "--max-header-bytes", "--stats-interval", "--trace", "--trace-connections"}) {
            assertTrue(out.contains("  " + flag + " "), flag + " missing from --help:\n" + out);
        }
        assertTrue(out.contains("(default et)") && out.contains("(default 8080)"), out);
    }

    @Test
    void bindFailureNamesAddressAndErrnoAndExitsOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            String out = run(1, "--port", Integer.toString(port));
            assertEquals("edgepoll: cannot bind 127.0.0.1:" + port + ": Address already in use (EADDRINUSE)\n", out);
        }
    }
}
