package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import edgepoll.config.Options;
import edgepoll.server.Server;
import edgepoll.server.testkit.Await;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness against real servers and a real wrk: what it parses, counts and writes. */
class CompareTest {
    @TempDir
    Path tmp;

    private static void assumeTool(String tool) {
        boolean present = Cli.onPath(tool) != null;
        if (!present) System.err.println("CompareTest: skipped, " + tool + " is not installed (.ci/run installs it)");
        assumeTrue(present, tool + " is not installed");
    }

    @Test
    void wrksFiguresMatchTheServersOwnCount() throws Exception {
        assumeTool("wrk");
        try (Server server = Server.start(Options.parse(new String[] {"--port", "0"}))) {
            long before = server.liveStats().total().requests();
            String out = Workloads.exec(List.of("wrk", "-t1", "-c8", "-d1s", "--latency", "http://127.0.0.1:" + server.port() + "/"), 30);
            Workloads.Measurement m = Workloads.parseWrk(out);
            // wrk has exited: once the server closed its 8 connections it has counted everything it answered
            long served = Await.until(20_000, "the server to close wrk's connections", () -> {
                var c = server.liveStats().total();
                return c.accepted() > 0 && c.closed() == c.accepted() ? c.requests() : null;
            }) - before;
            assertTrue(m.requests() > 100, out);
            // wrk counts completed responses; the server may have answered a few more as wrk stopped
            assertTrue(served >= m.requests() && served - m.requests() <= 8, "served " + served + ", wrk counted " + m.requests());
            assertEquals(m.requests() / m.seconds(), m.rps(), 1e-6);
            assertTrue(m.p50us() > 0 && m.p99us() >= m.p50us(), out);
            assertEquals(0, m.errors(), out);
            server.stop();
        }
    }

    @Test
    void wrkOutputWithErrorsAndUnits() throws Exception {
        String out = """
                Running 2s test @ http://127.0.0.1:1/
                  1 threads and 4 connections
                  Latency Distribution
                     50%  1.50ms
                     75%    2.00ms
                     90%    3.00ms
                     99%    1.20s
                  300 requests in 2.00s, 30.00KB read
                  Socket errors: connect 1, read 2, write 0, timeout 3
                  Non-2xx or 3xx responses: 4
                Requests/sec:    150.00
                """;
        Workloads.Measurement m = Workloads.parseWrk(out);
        assertEquals(300, m.requests());
        assertEquals(1500, m.p50us(), 1e-9);
        assertEquals(1.2e6, m.p99us(), 1e-6);
        assertEquals(10, m.errors());
        assertThrows(java.io.IOException.class, () -> Workloads.parseWrk("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void straceSummaryOfARealProcess() throws Exception {
        assumeTool("strace");
        Path summary = tmp.resolve("s.txt");
        Workloads.exec(List.of("strace", "-c", "-f", "-o", summary.toString(), "sh", "-c", "cat /proc/self/stat > /dev/null"), 30);
        Map<String, Long> calls = Probes.parseStraceSummary(Files.readString(summary));
        assertTrue(calls.getOrDefault("execve", 0L) >= 1, calls.toString());
        assertTrue(calls.getOrDefault("read", 0L) >= 1, calls.toString());
        assertTrue(!calls.containsKey("total") && !calls.containsKey("syscall"), calls.toString());
    }

    @Test
    void badFlagsAreRefused() {
        assumeTool("wrk");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--bogus"})).getMessage().contains("unknown option"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--duration", "1.5"})).getMessage().contains("whole seconds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--servers", "apache"})).getMessage().contains("unknown server"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--blocks"})).getMessage().contains("needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--quick", "--targets-only"})).getMessage().contains("pick one"));
        // the link's flags: --link is the script's; the harness's own need a numeric IPv4 and an existing namespace
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--link", "mtu=1500"})).getMessage().contains("scripts/bench-compare's"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--host", "localhost"})).getMessage().contains("numeric IPv4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--host", "10.0.0.256"})).getMessage().contains("numeric IPv4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--load-netns", "x"})).getMessage().contains("needs --host"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--host", "169.254.123.1", "--load-netns", "eplab-no-such"}))
                .getMessage().contains("no network namespace"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(new String[] {"--link-description", "veth"})).getMessage().contains("needs --load-netns"));
    }

    /** One server, one workload, one second: the whole pipeline down to the report and its charts. */
    @Test
    void aShortRunWritesTheReportResultsAndCharts() throws Exception {
        assumeTool("wrk");
        Path jar = Path.of("..", "server", "target", "edgepoll.jar");
        if (!Files.isRegularFile(jar)) System.err.println("CompareTest: skipped, no " + jar + " (package the server first)");
        assumeTrue(Files.isRegularFile(jar), "no edgepoll.jar");
        Path out = tmp.resolve("run");
        Config cfg = Cli.parse(new String[] {"--servers", "edgepoll-et", "--workloads", "http-c16", "--blocks", "2", "--repeat", "2",
                // --keep-disturbed: on a machine shared with other builds the drop rule may drop every window
                "--duration", "1", "--warmup", "0", "--strace-duration", "1", "--keep-disturbed", "--out", out.toString(),
                "--edgepoll-jar", jar.toString()});
        List<Report> reports = Repeat.run(cfg);
        assertEquals(2, reports.size());
        String repeat = Files.readString(out.resolve("repeat.md"));
        assertTrue(repeat.contains("| run 1 | run 2 | agree |") && repeat.contains("took"), repeat);
        out = out.resolve("run-1");
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("## Targets") && report.contains("2 windows measured in 2 blocks"), report);
        assertTrue(report.contains("This run took ") && report.contains("## A/A calibration") && report.contains("## Windows"), report);
        assertTrue(report.contains("to this report): 1 server, 1 workload, 2 blocks."), report);
        assertTrue(report.contains("syscalls per request at the floor, edgepoll-et"), report);
        assertTrue(report.contains("| network | loopback (127.0.0.1") && !report.contains("Over a link"), report);
        String json = Files.readString(out.resolve("results.json"));
        assertTrue(json.contains("\"server_count\": 1,\n  \"servers\": [\"edgepoll-et\"],") && Json.number(json, "elapsed_s") >= 1, json);
        assertEquals(2, json.split("\"workload\": \"http-c16\", \"block\"").length - 1, json);
        double rps = Json.number(json.substring(json.indexOf("\"runs\"")), "rps");
        assertTrue(rps > 100, json);
        // the counters saw 2 reads (one of them EAGAIN) and a send for each request, at least
        double sys = Json.number(Json.object(json.substring(json.indexOf("\"runs\"")), "syscalls_per_request"), "total");
        assertTrue(sys >= 3, json);
        for (String chart : List.of("rps-by-connections", "rps-by-workload", "cpu-per-request")) {  // with error bars
            BufferedImage img = ImageIO.read(out.resolve(chart + ".png").toFile());
            assertNotNull(img, chart);
            assertEquals(1100, img.getWidth());
        }
        if (cfg.strace() != null) assertTrue(Files.exists(out.resolve("syscalls-per-request.png")));
    }
}
