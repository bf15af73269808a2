package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import edgepoll.config.Options;
import edgepoll.server.Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fixed-rate generator (rateload.c) against real servers: it sends rate × duration requests
 * (exactly, with uniform arrivals) and counts each answer, against edgepoll over HTTP and echo, in both wait modes; a server that
 * answers wrongly, closes, or never answers shows as errors, not as requests; bad flags exit 2. Real
 * sockets and a real gcc build; skipped with a printed reason without gcc.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RateLoadTest {
    private static Path bin;

    @BeforeAll
    static void build() throws Exception {
        bin = CBuilds.buildOrSay("rateload", "RateLoadTest");
    }

    @AfterAll
    static void clean() throws IOException {
        CBuilds.delete(bin);
    }

    /** rateload's output and exit code. */
    record Result(int exit, String out) {
        double get(String key) {
            for (String line : out.split("\n")) {
                if (line.startsWith(key + " ")) return Double.parseDouble(line.substring(key.length() + 1).trim());
            }
            throw new AssertionError("no " + key + " in: " + out);
        }
    }

    private static Result rateload(String... args) throws Exception {
        assumeTrue(bin != null, "gcc is not installed");
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "rateload ended");
        return new Result(p.exitValue(), out);
    }

    private static Server edgepoll(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("--port", "0", "--nodelay"));
        a.addAll(List.of(args));
        return Server.start(Options.parse(a.toArray(String[]::new)));
    }

    @Test
    void sendsRateTimesDurationAndCountsEveryAnswer() throws Exception {
        for (String wait : List.of("spin", "sleep")) {
            for (String protocol : List.of("http", "echo")) {
                for (String arrivals : List.of("uniform", "poisson")) {
                    try (Server s = edgepoll("--protocol", protocol)) {
                        Result r = rateload("--port", String.valueOf(s.port()), "--protocol", protocol, "--connections", "8",
                                "--rate", "2000", "--duration", "2", "--wait", wait, "--arrivals", arrivals);
                        String what = protocol + ", --wait " + wait + ", --arrivals " + arrivals + ": " + r.out();
                        assertEquals(0, r.exit(), what);
                        // uniform: exactly one request every 500 us; Poisson: 4,000 expected, sd 63
                        assertEquals(4000, r.get("requests"), arrivals.equals("uniform") ? 0 : 250, what);
                        assertEquals(0, r.get("errors"), what);
                        assertEquals(r.get("requests") / 2, r.get("rps"), 1, what);
                        assertTrue(r.get("p50_us") <= r.get("p99_us") && r.get("p99_us") <= r.get("p999_us"), what);
                    }
                }
            }
        }
    }

    @Test
    void poissonArrivalsAreTheSameSequenceForEveryServer() throws Exception {
        double[] counts = new double[2];
        for (int i = 0; i < 2; i++) {
            try (Server s = edgepoll()) {
                counts[i] = rateload("--port", String.valueOf(s.port()), "--rate", "3000", "--duration", "1").get("requests");
            }
        }
        assertEquals(counts[0], counts[1], "a fixed seed: the same requests in the same window");
        assertTrue(counts[0] != 3000, "Poisson, not uniform: " + counts[0]);
    }

    /** Once its request is out, what the peer does with each connection it accepted. */
    private interface Peer {
        void serve(Socket s) throws IOException;
    }

    /** A plain server socket on 127.0.0.1 that hands each connection to {@code peer} on its own thread. */
    private static int fakeServer(ServerSocket ss, Peer peer) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    Socket s = ss.accept();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (s) {
                            peer.serve(s);
                        } catch (IOException ignored) {
                            // the generator closed first: nothing to serve
                        }
                    });
                }
            } catch (IOException closed) {
                // the test closed the listener
            }
        });
        return ss.getLocalPort();
    }

    private static void readRequest(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) throw new IOException("EOF");
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : c == '\r' ? 1 : 0;
        }
    }

    @Test
    void wrongAnswersClosesAndSilenceAreErrorsNotRequests() throws Exception {
        Peer status500 = s -> {
            readRequest(s.getInputStream());
            s.getOutputStream().write("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().read();  // holds the connection until the generator closes it
        };
        Peer closes = s -> readRequest(s.getInputStream());
        Peer silent = s -> {
            readRequest(s.getInputStream());
            s.getInputStream().read();
        };
        for (Peer peer : List.of(status500, closes, silent)) {
            try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                int port = fakeServer(ss, peer);
                Result r = rateload("--port", String.valueOf(port), "--connections", "2", "--rate", "100", "--duration", "1",
                        "--arrivals", "uniform");
                assertEquals(0, r.exit(), r.out());
                assertEquals(0, r.get("requests"), r.out());
                assertEquals(100, r.get("errors"), r.out());
                assertEquals(0, r.get("p99_us"), "no answer, no latency: " + r.out());
            }
        }
    }

    @Test
    void badFlagsExitTwoWithTheUsage() throws Exception {
        for (String[] args : List.of(new String[] {"--port", "1"}, new String[] {"--rate", "10", "--duration", "1"},
                new String[] {"--port", "1", "--rate", "10", "--duration", "1", "--wait", "nap"},
                new String[] {"--port", "1", "--rate", "10", "--duration", "1", "--protocol", "ftp"},
                new String[] {"--port", "1", "--rate", "10", "--duration", "1", "--arrivals", "bursty"},
                new String[] {"--port", "1", "--rate", "-5", "--duration", "1"}, new String[] {"--bogus"})) {
            Result r = rateload(args);
            assertEquals(2, r.exit(), String.join(" ", args));
            assertTrue(r.out().startsWith("usage: rateload"), r.out());
        }
    }

    @Test
    void aWindowThatFellBehindCountsItsLateRequestsAsErrors() throws IOException {
        String onTime = "requests 1000\nseconds 1.000\nrps 1000.0\np50_us 50\np99_us 90\np999_us 200\nlate 10\nerrors 0\n";
        assertEquals(0, Workloads.parseRateload(onTime).errors(), "1% late: this VM's pauses, seen in p99");
        String behind = onTime.replace("late 10", "late 11").replace("errors 0", "errors 2");
        assertEquals(13, Workloads.parseRateload(behind).errors(), "over 1% late: every late request is an error");
        assertEquals(1000, Workloads.parseRateload(behind).requests());
        assertEquals(90, Workloads.parseRateload(behind).p99us());
    }
}
