package edgepoll.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's packages form layers with no cycle, read from the compiled classes by the JDK's own
 * jdeps (every class reference, not just imports): each package may depend only on the packages
 * listed below it in {@link #LAYERS} (docs/architecture.md draws the same picture).
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
            Map.entry("edgepoll.loop", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.proto", "edgepoll.worker", "edgepoll.sys")),
            Map.entry("edgepoll.model", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.proto", "edgepoll.worker", "edgepoll.sys")),
            Map.entry("edgepoll.uring", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.proto", "edgepoll.worker", "edgepoll.sys")),
            Map.entry("edgepoll.server", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.worker", "edgepoll.loop", "edgepoll.model", "edgepoll.uring", "edgepoll.sys")),
            Map.entry("edgepoll.load", Set.of("edgepoll.config", "edgepoll.sys")),
            Map.entry("edgepoll.cli", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.server", "edgepoll.load", "edgepoll.sys")),
            // compiled for Java 8 so an old JVM can say which one it needs: it names the real main only by a string
            Map.entry("edgepoll.launcher", Set.of())));

    @Test
    void packagesDependOnlyOnLowerLayers() throws Exception {
        Path classes = Path.of("target", "classes");
        assertTrue(Files.isDirectory(classes.resolve("edgepoll")), "compiled classes at " + classes.toAbsolutePath());
        Map<String, Set<String>> deps = jdeps(classes);
        System.out.println("package dependencies (jdeps): " + deps);
        Set<String> unplaced = new TreeSet<>(deps.keySet());
        unplaced.removeAll(LAYERS.keySet());
        assertEquals(Set.of(), unplaced, "packages with no place in LAYERS (a new package needs one)");
        assertTrue(deps.keySet().containsAll(List.of("edgepoll.loop", "edgepoll.proto", "edgepoll.cli")), deps.keySet().toString());
        List<String> wrong = new ArrayList<>();
        deps.forEach((from, tos) -> {
            for (String to : tos) {
                if (!to.equals(from) && !LAYERS.get(from).contains(to)) wrong.add(from + " -> " + to);
            }
        });
        assertEquals(List.of(), wrong, "dependencies against the layering");
        assertEquals(List.of(), cycles(deps), "package cycles");
    }

    /** edgepoll package -> the edgepoll packages its classes refer to. */
    private static Map<String, Set<String>> jdeps(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
                "-e", "edgepoll\\..*", classes.toString());
        assertEquals(0, rc, "jdeps: " + err);
        Map<String, Set<String>> deps = new TreeMap<>();
        Pattern line = Pattern.compile("^\\s+(edgepoll[\\w.]*)\\s+->\\s+(edgepoll[\\w.]*)\\s");
        for (String l : out.toString().split("\n")) {
            Matcher m = line.matcher(l + " ");
            if (!m.find()) continue;
            String from = m.group(1), to = m.group(2);
            if (to.startsWith("edgepoll.sys")) to = "edgepoll.sys";  // the bindings module, generated code included
            deps.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
        }
        for (String p : LAYERS.keySet()) if (Files.isDirectory(classes.resolve(p.replace('.', '/')))) deps.putIfAbsent(p, new TreeSet<>());
        return deps;
    }

    /** Every cycle among the packages, as "a -> b -> a" (depth-first search). */
    private static List<String> cycles(Map<String, Set<String>> deps) {
        List<String> found = new ArrayList<>();
        for (String start : deps.keySet()) walk(start, start, new ArrayList<>(List.of(start)), deps, found);
        return found;
    }

    private static void walk(String start, String at, List<String> path, Map<String, Set<String>> deps, List<String> found) {
        for (String next : deps.getOrDefault(at, Set.of())) {
            if (next.equals(at)) continue;
            if (next.equals(start)) {
                found.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                walk(start, next, path, deps, found);
                path.remove(path.size() - 1);
            }
        }
    }
}
