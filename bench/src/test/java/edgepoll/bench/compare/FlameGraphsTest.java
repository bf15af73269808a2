package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/flame-graphs, run for real (1 s of warm-up, 1 s profiled) on edgepoll-et and the C floor:
 * both flame graphs and collapsed stacks are written, the table has a row for each, the JVM's stacks
 * hold edgepoll's Java frames and the C floor's its syscalls with kernel frames under them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FlameGraphsTest {
    @TempDir
    Path out;

    @Test
    void profilesEdgepollAndTheCFloorWithKernelFrames() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path log = out.resolve("flame-graphs.log");
        Process p = new ProcessBuilder("bash", root.resolve("scripts/flame-graphs").toString(), "-d", "1", "-w", "1",
                "-o", out.toString(), "edgepoll-et", "c-et").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(150, TimeUnit.SECONDS);
        if (!ended) {  // its servers and wrk too: nothing of the run outlives the test
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String text = Files.readString(log);
        assertTrue(ended, "flame-graphs ended within 150 s; its output so far:\n" + text);
        System.out.println(text);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("edgepoll-et ")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("c-et ")), text);
        for (String s : new String[] {"edgepoll-et", "c-et"}) {
            assertTrue(Files.readString(out.resolve("flame-" + s + ".html")).contains("async-profiler"), s + ": a flame graph page");
        }
        String java = Files.readString(out.resolve("flame-edgepoll-et.collapsed"));
        String c = Files.readString(out.resolve("flame-c-et.collapsed"));
        assertTrue(java.contains("edgepoll/loop/EventLoop"), "the loop's Java frames in edgepoll's stacks");
        assertTrue(c.contains("epoll_wait") && c.contains("send"), "the C floor's syscalls in its stacks");
        // kernel frames need perf events (root, or perf_event_paranoid <= 1); async-profiler falls back to
        // a timer without them, and then this part cannot be checked: say so rather than pass silently
        String paranoid = Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).trim();
        boolean root0 = "root".equals(System.getProperty("user.name"));
        if (root0 || Integer.parseInt(paranoid) <= 1) {
            assertTrue(c.contains("_[k]") && java.contains("_[k]"), "kernel frames under the syscalls");
        } else {
            System.out.println("FlameGraphsTest: kernel frames not checked: not root and perf_event_paranoid=" + paranoid);
        }
    }
}
