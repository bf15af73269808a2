package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.LinkLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench-compare over a link (scripts/bench-compare --link): the harness as that script runs it, in
 * the server's network namespace of a link-lab link (MTU 1500, 1 Gbit/s tbf each way), every server
 * bound to the link's server end, every load process (wrk, rateload, edgepoll's load) in the load's
 * namespace. A tiny run, 2 blocks of 1 s windows: the report names the link, every server has figures
 * for every workload, the server end of the veth received at least a packet per request measured,
 * and once the link is closed no namespace and no veth is left. Needs root, ip, tc, ethtool,
 * nsenter, wrk and gcc, else skipped with the reason.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CompareLinkTest {
    @TempDir
    Path tmp;

    private static void assumeTool(String tool) {
        boolean present = Cli.onPath(tool) != null;
        if (!present) System.err.println("SKIPPED CompareLinkTest: " + tool + " is not installed (.ci/run installs it)");
        assumeTrue(present, tool + " is not installed");
    }

    @Test
    void everyServerIsMeasuredOverTheLinkAndNothingIsLeftBehind() throws Exception {
        LinkLab.assumeAvailable("CompareLinkTest");
        for (String tool : List.of("wrk", "gcc", "nsenter")) assumeTool(tool);
        Path jar = Path.of("..", "server", "target", "edgepoll.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) System.err.println("SKIPPED CompareLinkTest: no " + jar + " (package the server first)");
        assumeTrue(Files.isRegularFile(jar), "no edgepoll.jar");

        // the Netty and NIO peers run from benchmarks.jar (shaded at package, after the tests): not here
        List<String> servers = new ArrayList<>(List.of("edgepoll-et", "edgepoll-lt", "c-et"));
        if (Cli.onPath("nginx") != null) servers.add("nginx");
        List<String> workloads = List.of("http-c16", "http-rate-c64", "echo-c64");
        Path out = tmp.resolve("run"), log = tmp.resolve("harness.txt");
        LinkLab link = LinkLab.hold(tmp.resolve("link.err"), "--link", "mtu=1500,rate=1gbit");
        try {
            // link-lab prints the link as made (linklab_describe) on stderr, right after its ready line
            String described = Await.until(10_000, "link-lab's description of the link", () -> link.stderr().lines()
                    .filter(l -> l.startsWith("link: ")).map(l -> l.substring("link: ".length())).findFirst().orElse(null));
            List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + link.srvNs,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Compare.class.getName(),
                    "--host", link.srvAddr, "--load-netns", link.loadNs, "--link-description", described,
                    "--servers", String.join(",", servers), "--workloads", String.join(",", workloads),
                    // --keep-disturbed: on a machine shared with other builds the drop rule may drop every window
                    "--blocks", "2", "--duration", "1", "--warmup", "0", "--keep-disturbed", "--no-strace", "--seed", "23",
                    "--out", out.toString(), "--edgepoll-jar", jar.toString()));
            Process harness = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!harness.waitFor(240, TimeUnit.SECONDS)) {
                harness.destroyForcibly();
                throw new AssertionError("the harness took over 240 s:\n" + Files.readString(log));
            }
            assertEquals(0, harness.exitValue(), Files.readString(log));

            String report = Files.readString(out.resolve("report.md"));
            assertTrue(report.contains("**Over a link, not loopback.**") && report.contains("| network | a link of its own: " + described + " |"), report);
            assertTrue(described.contains("mtu=1500") && described.contains("rate server->load=1gbit load->server=1gbit")
                    && described.contains("offloads(tso,gso,gro)=on"), described);
            String json = Files.readString(out.resolve("results.json"));
            assertTrue(json.contains("\"host\": \"" + link.srvAddr + "\""), json);
            long requests = 0;
            for (String server : servers) {
                for (String workload : workloads) {
                    if (server.equals("nginx") && workload.startsWith("echo")) continue;  // nginx speaks HTTP only
                    Matcher m = Pattern.compile("\\{\"server\": \"" + server + "\", \"workload\": \"" + workload
                            + "\", .*\"requests\": (\\d+), .*\"rps\": ([\\d.]+), .*\"server_cpu_us_per_request\": ([\\d.]+),").matcher(json);
                    int windows = 0;
                    while (m.find()) {
                        windows++;
                        long n = Long.parseLong(m.group(1));
                        assertTrue(n > 0 && Double.parseDouble(m.group(2)) > 0 && Double.parseDouble(m.group(3)) > 0, server + " " + workload + ": " + m.group());
                        if (!workload.startsWith("echo")) requests += n;
                    }
                    assertEquals(2, windows, server + " under " + workload + ": one window per block, with figures\n" + json);
                }
            }
            // the requests crossed the veth: its server end received at least one packet per HTTP request
            long rx = Long.parseLong(LinkLab.run(link.srvNs, 10, "sh", "-c", "cat /sys/class/net/eplab*/statistics/rx_packets").strip());
            assertTrue(rx >= requests, "veth rx_packets " + rx + " < " + requests + " requests measured");
            System.out.printf("bench-compare over %s: %d servers x %d workloads x 2 blocks, %,d HTTP requests, %,d packets into the server end%n",
                    described, servers.size(), workloads.size(), requests, rx);
        } finally {
            link.close();
        }
        assertEquals(List.of(), LinkLab.namespaces(link.prefix()), "the link's namespaces are gone");
        String dev = link.prefix().replace("-", "");
        Await.until(10_000, "no veth of " + dev + " in the host's namespace", () -> LinkLab.hostLinks(dev).isEmpty() ? true : null);
    }
}
