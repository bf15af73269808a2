package edgepoll.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.Pace;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.server.testkit.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The load generator against real servers: edgepoll in-process or as a child process, and tiny raw-socket servers. */
class LoadGeneratorTest {
    @TempDir
    Path tmp;

    /** A run without warm-up and without progress line: every request it sent counts. */
    private static LoadResult load(int port, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--warmup", "0", "--quiet"));
        args.addAll(List.of(flags));
        return Load.run(LoadOptions.parse(args.toArray(String[]::new)), null);
    }

    /** The server's counters once the generator's connections are closed and read to their end. */
    private static SyscallCounters stop(ServerHandle s) throws Exception {
        Live.awaitAllClosed(s);
        Stats st = s.stop();
        return st.total();
    }

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt"})
    void closedLoopHttpCountsMatchTheServersOwn(String mode) throws Exception {
        LoadResult r;
        SyscallCounters served;
        try (ServerHandle s = ServerHandle.start(mode)) {
            r = load(s.port(), "--connections", "4", "--duration", "700ms");
            served = stop(s);
        }
        System.out.printf("%s http: generator %d responses, server %d requests, p99 %.0f us%n", mode, r.requests(), served.requests(), r.latencyUs(99));
        assertEquals(0, r.errors(), r.summary());
        assertTrue(r.requests() > 100, r.summary());
        // The server also answered what was in flight when the run ended: at most one per connection.
        assertTrue(served.requests() >= r.requests() && served.requests() <= r.requests() + 4,
                "server " + served.requests() + " vs generator " + r.requests());
        assertEquals(served.bytes(Sys.READ), r.bytesOut(), "every request byte sent was read by the server");
        assertEquals(r.requests(), r.latencyNs().getTotalCount(), "one latency per response");
    }

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt"})
    void closedLoopEchoCountsMatchTheServersOwn(String mode) throws Exception {
        LoadResult r;
        SyscallCounters served;
        try (ServerHandle s = ServerHandle.start(mode, "--protocol", "echo")) {
            r = load(s.port(), "--protocol", "echo", "--message-size", "100", "--connections", "4", "--pipeline", "2", "--duration", "700ms");
            served = stop(s);
        }
        System.out.printf("%s echo: generator %d messages, %d bytes out; server read %d bytes%n", mode, r.requests(), r.bytesOut(), served.bytes(Sys.READ));
        assertEquals(0, r.errors(), r.summary());
        assertTrue(r.requests() > 100, r.summary());
        assertEquals(served.bytes(Sys.READ), r.bytesOut());
        assertEquals(r.bytesIn() / 100, r.requests(), "a message is complete when its 100 bytes came back");
        assertTrue(served.bytes(Sys.SEND) >= r.bytesIn());
    }

    @Test
    void pipelinedRequestsTravelTogether() throws Exception {
        LoadResult r;
        SyscallCounters served;
        try (ServerHandle s = ServerHandle.start("lt")) {
            r = load(s.port(), "--connections", "2", "--pipeline", "16", "--duration", "700ms");
            served = stop(s);
        }
        double readsPerRequest = (double) served.calls(Sys.READ) / served.requests();
        System.out.printf("pipeline 16: %d responses, server reads per request %.3f%n", r.requests(), readsPerRequest);
        assertEquals(0, r.errors(), r.summary());
        assertTrue(served.requests() >= r.requests() && served.requests() <= r.requests() + 32);
        // One request per read would be 1.0; 16 requests sent in one send(2) arrive in one read.
        assertTrue(readsPerRequest < 0.5, "server reads per request: " + readsPerRequest);
    }

    @Test
    void openLoopDeliversTheRate() throws Exception {
        LoadResult r;
        try (ServerHandle s = ServerHandle.start("et")) {
            r = Load.run(LoadOptions.parse(new String[] {"--port", Integer.toString(s.port()), "--quiet", "--rate", "1000",
                "--connections", "4", "--threads", "2", "--warmup", "300ms", "--duration", "1500ms"}), null);
            stop(s);
        }
        System.out.printf("open loop at 1000/s for 1.5 s: %d responses, p50 %.0f us%n", r.requests(), r.latencyUs(50));
        assertEquals(0, r.errors(), r.summary());
        assertTrue(r.requests() >= 1050 && r.requests() <= 1650, "about 1500 responses: " + r.requests());
        assertTrue(r.toJson().contains("\"rate\": 1000,"), r.toJson());
    }

    /**
     * Coordinated omission: while the server is stopped, the requests due go unsent or unanswered. Their
     * latency counts from when each was due, so the stall shows in the percentiles, not only in the
     * few requests that were in flight when it began.
     */
    @Test
    void aStalledServerShowsInTheLatencyOfEveryRequestDueDuringTheStall() throws Exception {
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), "--port", "0")) {
            int port = ServerProcess.port(sp.firstLine());
            CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return Load.run(LoadOptions.parse(new String[] {"--port", Integer.toString(port), "--quiet", "--rate", "1000",
                        "--connections", "4", "--warmup", "200ms", "--duration", "4000ms"}), null);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            // Scenario timing: the stall is placed 1 s into the 4.2 s run (past the 200 ms warm-up,
            // well before the end) and lasts 700 ms; the run's timeline, not a condition, sets both.
            // The run is 2.5 s longer than the stall's end, because the steps between (two kill
            // processes, the await) race it: on a loaded machine a 2.7 s run could end before CONT.
            long runStart = System.nanoTime();
            Pace.hold(1_000, "place the stall inside the measured part of the run");
            long pid = sp.process.pid();
            signal("STOP", pid);
            Await.until(10_000, "the server process stopped (state T)", () -> {
                String stat = Files.readAllLines(Path.of("/proc/" + pid + "/stat")).get(0);
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'T' ? true : null;
            });
            Pace.hold(700, "the stall the latencies must show");
            signal("CONT", pid);
            long stallEndMs = (System.nanoTime() - runStart) / 1_000_000;
            LoadResult r = run.get(20, TimeUnit.SECONDS);
            assertTrue(stallEndMs < 4_000, "the stall ended inside the run, " + stallEndMs + " ms into its 4.2 s");
            System.out.printf("server stopped 700 ms of 4 s at 1000/s: p50 %.0f us, p90 %.0f us, max %.0f us, %d responses%n",
                    r.latencyUs(50), r.latencyUs(90), r.maxUs(), r.requests());
            assertEquals(0, r.errors(), r.summary());
            assertTrue(r.maxUs() >= 600_000, "the longest wait covers the stall: " + r.summary());
            // ~700 of ~4000 requests were due during the stall, waiting 0-700 ms: the top 10 % all waited long.
            assertTrue(r.latencyUs(90) >= 200_000, "p90 reflects the stall: " + r.summary());
            assertEquals(0, sp.terminate());
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor());
    }

    @Test
    void jsonHasTheStableSchema() throws Exception {
        Path json = tmp.resolve("load.json");
        try (ServerHandle s = ServerHandle.start("et")) {
            Process p = new ProcessBuilder(ServerProcess.command("load", "--port", Integer.toString(s.port()), "--connections", "2",
                    "--duration", "300ms", "--warmup", "100ms", "--quiet", "--json", json.toString()))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // closed here, not left to the JDK's reaper, which closes them only after waitFor returns: the leak check in stop
            p.getInputStream().close();
            p.getOutputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("Requests/sec: "), out);
            stop(s);
        }
        String j = Files.readString(json);
        assertTrue(j.startsWith("{\"schema\": \"edgepoll-load/1\", "), j);
        for (String key : new String[] {"target", "protocol", "connections", "pipeline", "threads", "rate", "duration_s", "warmup_s",
            "requests", "errors", "total", "connect", "read", "write", "closed", "non_2xx", "mismatch", "malformed", "reconnects",
            "rps", "bytes_per_s", "bytes_in", "bytes_out", "latency_us", "p50", "p90", "p99", "p999", "max", "mean",
            "client_alloc_bytes_per_request"}) {
            assertTrue(j.contains("\"" + key + "\": "), key + " in " + j);
        }
        assertTrue(j.contains("\"protocol\": \"http\", \"connections\": 2, \"pipeline\": 1, \"threads\": 1, \"rate\": null, \"duration_s\": 0.300"), j);
        assertTrue(j.trim().endsWith("}") && j.chars().filter(c -> c == '{').count() == j.chars().filter(c -> c == '}').count(), j);
    }

    @Test
    void badFlagsExitTwoAndAnUnreachableServerExitsOne() throws Exception {
        for (String[] bad : new String[][] {{"--bogus"}, {"--connections", "0"}, {"--threads", "4", "--connections", "2"},
            {"--protocol", "ftp"}, {"--duration"}, {"--message-size", "8"}, {"--host", "example.org"}}) {
            List<String> args = new ArrayList<>(List.of("load"));
            args.addAll(List.of(bad));
            Run run = runMain(args);
            assertEquals(2, run.status, String.join(" ", bad) + ": " + run.err);
            assertEquals(1, run.err.lines().count(), "one line: " + run.err);
            assertTrue(run.err.startsWith("edgepoll load: "), run.err);
        }
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        Run run = runMain(List.of("load", "--port", Integer.toString(closedPort)));
        assertEquals(1, run.status, run.err);
        assertEquals("edgepoll load: cannot connect to 127.0.0.1:" + closedPort + ": Connection refused (ECONNREFUSED)\n", run.err);
        run = runMain(List.of("load", "--help"));
        assertEquals(0, run.status);
        assertTrue(run.out.startsWith("usage: java -jar edgepoll.jar load"), run.out);
    }

    private record Run(int status, String out, String err) {}

    private static Run runMain(List<String> args) throws Exception {
        Process p = new ProcessBuilder(ServerProcess.command(args.toArray(String[]::new))).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    @Test
    void echoThatIsNotUpperCasedIsCountedAsMismatch() throws Exception {
        try (RawServer s = new RawServer((socket) -> copy(socket))) {
            LoadResult r = load(s.port(), "--protocol", "echo", "--connections", "2", "--duration", "400ms");
            System.out.printf("plain (not upper-cased) echo: %d messages, %d mismatched%n", r.requests(), r.mismatches());
            assertTrue(r.requests() > 10, r.summary());
            assertEquals(r.requests(), r.mismatches(), r.summary());
            assertEquals(r.mismatches(), r.errors(), r.summary());
        }
    }

    @Test
    void non2xxAndServerClosesAreCountedAndConnectionsReplaced() throws Exception {
        byte[] reply = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy".getBytes(StandardCharsets.US_ASCII);
        try (RawServer s = new RawServer((socket) -> answerOnceAndClose(socket, reply))) {
            LoadResult r = load(s.port(), "--connections", "2", "--duration", "400ms");
            System.out.printf("503 + close: %d responses, %d non-2xx, %d closed, %d reconnects%n", r.requests(), r.non2xx(), r.closed(), r.reconnects());
            assertTrue(r.requests() > 10, r.summary());
            assertEquals(r.requests(), r.non2xx(), r.summary());
            assertTrue(r.closed() >= r.requests() - 2 && r.reconnects() >= r.closed() - 2, r.summary());
            assertEquals(0, r.malformed() + r.readErrors() + r.connectErrors(), r.summary());
        }
    }

    @Test
    void theGeneratorAllocatesNothingPerRequestOnceWarm() throws Exception {
        LoadResult r;
        try (ServerHandle s = ServerHandle.start("et")) {
            r = Load.run(LoadOptions.parse(new String[] {"--port", Integer.toString(s.port()), "--quiet",
                "--connections", "4", "--warmup", "1500ms", "--duration", "1s"}), null);
            stop(s);
        }
        System.out.printf("generator thread: %.3f bytes allocated per request over %d requests%n", r.allocPerRequest(), r.requests());
        assertTrue(r.requests() > 1000, r.summary());
        assertTrue(r.allocPerRequest() < 1.0, r.summary());
    }

    private static void copy(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
    }

    /** Reads one request head, answers {@code reply}, closes. */
    private static void answerOnceAndClose(Socket socket, byte[] reply) throws IOException {
        InputStream in = socket.getInputStream();
        int state = 0;
        for (int b; state < 4 && (b = in.read()) >= 0; ) {
            state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : (b == '\r' ? 1 : 0);
        }
        socket.getOutputStream().write(reply);
        socket.shutdownOutput();
        while (in.read() >= 0) {
            // until the client closes: closing with unread bytes would reset the reply
        }
    }

    /** A loopback listener that hands each connection to {@code handler} on a thread of its own. */
    private static final class RawServer implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> open = new ArrayList<>();
        private final Thread acceptor;

        RawServer(Handler handler) throws IOException {
            acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        Socket s = listener.accept();
                        synchronized (open) {
                            open.add(s);
                        }
                        Thread.ofPlatform().daemon().start(() -> {
                            try (s) {
                                handler.serve(s);
                            } catch (IOException e) {
                                // the client went away
                            }
                        });
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            listener.close();
            synchronized (open) {
                for (Socket s : open) s.close();
            }
            acceptor.join(5000);
        }

        interface Handler {
            void serve(Socket s) throws IOException;
        }
    }
}
