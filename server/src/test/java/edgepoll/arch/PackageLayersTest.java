package edgepoll.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Jdeps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's packages form layers with no cycle, read from the compiled classes by the JDK's own
 * jdeps (every class reference, not just imports): each package may depend only on the packages
 * listed below it in {@link #LAYERS} (docs/architecture.md draws the same picture). The other
 * modules' packages (which module owns which, the lab's layer, the benchmarks') are the lab module's
 * ModulePackagesTest, built after them all.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PackageLayersTest {
    /** Each server package and the edgepoll packages it may use (edgepoll.sys is the bindings module). */
    private static final Map<String, Set<String>> LAYERS = new TreeMap<>(Map.ofEntries(
            Map.entry("edgepoll.config", Set.of()),
            Map.entry("edgepoll.stats", Set.of("edgepoll.config", "edgepoll.sys")),
            // the one door to the kernel: each syscall made, counted (stats) and recorded (trace, Perfetto), and the token
            Map.entry("edgepoll.kernel", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.sys")),
            Map.entry("edgepoll.proto", Set.of("edgepoll.config")),
            Map.entry("edgepoll.worker", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.sys")),
            // one connection transport under every event loop: buffers, the pump, timers, close and linger
            Map.entry("edgepoll.transport", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.proto", "edgepoll.worker", "edgepoll.sys")),
            Map.entry("edgepoll.loop", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.proto", "edgepoll.worker", "edgepoll.transport", "edgepoll.sys")),
            Map.entry("edgepoll.model", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.proto", "edgepoll.worker", "edgepoll.sys")),
            Map.entry("edgepoll.uring", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.proto", "edgepoll.worker", "edgepoll.transport", "edgepoll.sys")),
            Map.entry("edgepoll.server", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.worker", "edgepoll.loop", "edgepoll.model", "edgepoll.uring", "edgepoll.sys")),
            Map.entry("edgepoll.load", Set.of("edgepoll.config", "edgepoll.sys")),
            Map.entry("edgepoll.cli", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.server", "edgepoll.load", "edgepoll.sys")),
            // compiled for Java 8 so an old JVM can say which one it needs: it names the real main only by a string
            Map.entry("edgepoll.launcher", Set.of())));

    @Test
    void packagesDependOnlyOnLowerLayers() throws Exception {
        Path classes = Path.of("target", "classes");
        assertTrue(Files.isDirectory(classes.resolve("edgepoll")), "compiled classes at " + classes.toAbsolutePath());
        Map<String, Set<String>> deps = Jdeps.packageDeps(classes);
        System.out.println("package dependencies (jdeps): " + deps);
        Set<String> unplaced = new TreeSet<>(deps.keySet());
        unplaced.removeAll(LAYERS.keySet());
        assertEquals(Set.of(), unplaced, "packages with no place in LAYERS (a new package needs one)");
        assertTrue(deps.keySet().containsAll(List.of("edgepoll.loop", "edgepoll.proto", "edgepoll.cli")), deps.keySet().toString());
        assertEquals(List.of(), Jdeps.against(deps, LAYERS), "dependencies against the layering");
        assertEquals(List.of(), Jdeps.cycles(deps), "package cycles");
    }
}
