package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.StraceCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/kernel-view: perf's syscall tracepoints for the loop thread over a window agree with the
 * server's own counters. The window opens after start-up and closes before the stop, so the calls
 * that only a connection causes (accept4, read, sendto) all fall inside it and must match exactly.
 * Skipped, with perf's reason, where perf cannot trace (no perf, no tracefs, not permitted).
 */
@Timeout(90)
class KernelViewTest {

    @Test
    void perfCountsEqualTheCountersOverTheWindow(@TempDir Path dir) throws Exception {
        Path script = Path.of("..", "scripts", "kernel-view").toAbsolutePath().normalize();
        Path stats = dir.resolve("stats.json");
        try (ServerProcess sp = ServerProcess.start(dir.resolve("server.err"), "--port", "0", "--stats-json", stats.toString())) {
            String listening = sp.firstLine();
            assertNotNull(listening);
            Path err = dir.resolve("kv.err"), out = dir.resolve("kv.out");
            Process kv = new ProcessBuilder("bash", script.toString(), Long.toString(sp.process.pid()), "3")
                    .redirectError(err.toFile()).redirectOutput(out.toFile()).start();
            try {
                String state = Await.until(20_000, "kernel-view opens its window or gives up", () -> {
                    String e = Files.exists(err) ? Files.readString(err) : "";
                    if (e.contains("window open")) return "open";
                    return kv.isAlive() ? null : "exited " + kv.exitValue() + ": " + e.strip();
                });
                if (!state.equals("open")) {
                    System.out.println("KernelViewTest skipped: " + state);
                    Assumptions.assumeTrue(false, "perf cannot trace here: " + state);
                }
                try (RawClient c = new RawClient(ServerProcess.port(listening))) {
                    for (int i = 0; i < 20; i++) {
                        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                        assertEquals(200, c.readResponse(false).status());
                    }
                    c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                    assertTrue(c.closedByServer());
                }
                assertTrue(kv.waitFor(30, TimeUnit.SECONDS), "kernel-view ends after its window");
            } finally {
                kv.destroyForcibly();
            }
            String table = Files.readString(out);
            System.out.println(table);
            assertTrue(Files.readString(err).contains("window closed"), Files.readString(err));
            Map<String, Long> perf = new HashMap<>(), perfEagain = new HashMap<>();
            for (String line : table.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[1].matches("\\d+")) {
                    perf.put(f[0], Long.parseLong(f[1]));
                    perfEagain.put(f[0], Long.parseLong(f[3]));
                }
            }
            assertEquals(0, sp.terminate());
            Map<String, long[]> sys = StraceCounts.ofStatsJson(Files.readString(stats));  // name -> {calls, EAGAIN, short}, all loops
            for (String call : new String[] {"accept4", "read", "sendto"}) {
                long[] counted = sys.getOrDefault(call, new long[3]);
                assertEquals(counted[0], perf.getOrDefault(call, 0L), call + ": perf over the window vs the server's counters\n" + table);
                assertEquals(counted[1], perfEagain.getOrDefault(call, 0L), call + " EAGAIN: perf vs the counters\n" + table);
            }
            assertTrue(perf.getOrDefault("read", 0L) >= 21);
        }
    }
}
