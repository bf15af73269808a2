package edgepoll.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import edgepoll.server.testkit.Jdeps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every module's classes live in packages that module owns, and the packages outside the server
 * form layers too (the server's own are its PackageLayersTest). Read from every module's compiled
 * classes (target/classes and target/test-classes) by jdeps, so it lives in the module the reactor
 * builds last (the root pom lists lab last). A module not compiled yet (a {@code -pl lab -am} run
 * builds no bench) skips the test with the reason printed, which scripts/test's summary lists; it
 * never passes without having read every module.
 *
 * <p>Ownership: edgepoll.sys.. is native-bindings', edgepoll.lab.. the lab's, edgepoll.bench.uring..
 * bench-uring's, the rest of edgepoll.bench.. bench's, every other edgepoll package the server's; a
 * class in any other package (io.netty.., say, to reach a package-private constructor) or in a
 * package another module owns (edgepoll.loop in bench, to reach the loop's package-private code)
 * fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModulePackagesTest {
    /** The modules, as their directories beside this one. */
    private static final List<String> MODULES = List.of("native-bindings", "server", "bench", "bench-uring", "lab");

    /** Each package outside the server and the bindings, and the edgepoll packages it may use. */
    private static final Map<String, Set<String>> LAYERS = new TreeMap<>(Map.ofEntries(
            // the experiments behind scripts/: they start servers in-process and read their counters
            Map.entry("edgepoll.lab", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel", "edgepoll.load",
                    "edgepoll.server", "edgepoll.uring", "edgepoll.sys")),
            // bench's package-info alone (what the module holds)
            Map.entry("edgepoll.bench", Set.of()),
            // the peer servers: other servers, sharing only edgepoll's flag parser
            Map.entry("edgepoll.bench.peers", Set.of("edgepoll.config")),
            // bench-uring's Netty 4.2 peer serves with the bench peers' handlers
            Map.entry("edgepoll.bench.uring", Set.of("edgepoll.bench.peers")),
            // the side-by-side harness: runs every server as a process (peers by class name)
            Map.entry("edgepoll.bench.compare", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.load",
                    "edgepoll.uring", "edgepoll.sys")),
            // JMH benchmarks, in-process servers and downcalls, and the code JMH generates for them
            Map.entry("edgepoll.bench.jmh", Set.of("edgepoll.config", "edgepoll.stats", "edgepoll.kernel",
                    "edgepoll.proto", "edgepoll.server", "edgepoll.sys")),
            Map.entry("edgepoll.bench.jmh.jmh_generated", Set.of("edgepoll.bench.jmh"))));

    private static final Path ROOT = Path.of(System.getProperty("edgepoll.root", "..")).toAbsolutePath().normalize();

    /** The module that owns {@code pkg}, or "nobody". */
    static String owner(String pkg) {
        if (pkg.equals("edgepoll.sys") || pkg.startsWith("edgepoll.sys.")) return "native-bindings";
        if (pkg.equals("edgepoll.lab") || pkg.startsWith("edgepoll.lab.")) return "lab";
        if (pkg.equals("edgepoll.bench.uring") || pkg.startsWith("edgepoll.bench.uring.")) return "bench-uring";
        if (pkg.equals("edgepoll.bench") || pkg.startsWith("edgepoll.bench.")) return "bench";
        if (pkg.startsWith("edgepoll.")) return "server";
        return "nobody";
    }

    /** module -> its directories of compiled classes (main, and tests where it has any). */
    private static Map<String, List<Path>> compiled() {
        Map<String, List<Path>> dirs = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String m : MODULES) {
            Path main = ROOT.resolve(m).resolve("target/classes"), tests = ROOT.resolve(m).resolve("target/test-classes");
            if (!Files.isDirectory(main)) missing.add(m + "/target/classes");
            dirs.put(m, Files.isDirectory(tests) ? List.of(main, tests) : List.of(main));
        }
        if (!missing.isEmpty()) {
            String reason = "not compiled: " + missing + " (a full scripts/test builds every module before lab)";
            System.err.println("SKIPPED ModulePackagesTest: " + reason);
            Assumptions.abort(reason);
        }
        return dirs;
    }

    @Test
    void everyClassLivesInAPackageItsModuleOwns() throws Exception {
        List<String> wrong = new ArrayList<>();
        Map<String, String> seen = new TreeMap<>();
        for (Map.Entry<String, List<Path>> e : compiled().entrySet()) {
            for (Path d : e.getValue()) {
                for (String p : Jdeps.packagesOf(d)) {
                    seen.put(p, e.getKey());
                    if (!owner(p).equals(e.getKey())) wrong.add(ROOT.relativize(d) + ": " + p + " (owned by " + owner(p) + ")");
                }
            }
        }
        System.out.println("packages by module: " + seen);
        assertEquals(Set.of("native-bindings", "server", "bench", "bench-uring", "lab"), new TreeSet<>(seen.values()),
                "every module has classes");
        assertEquals(List.of(), wrong, "classes in a package their module does not own");
    }

    @Test
    void theLabAndTheBenchmarksFormLayers() throws Exception {
        Map<String, List<Path>> compiled = compiled();
        Map<String, Set<String>> deps = new TreeMap<>();
        for (String m : List.of("bench", "bench-uring", "lab")) deps.putAll(Jdeps.packageDeps(compiled.get(m).get(0)));
        System.out.println("package dependencies (jdeps): " + deps);
        assertEquals(LAYERS.keySet(), deps.keySet(), "the packages of bench, bench-uring and lab (a new one needs a place in LAYERS)");
        assertEquals(List.of(), Jdeps.against(deps, LAYERS), "dependencies against the layering");
        assertEquals(List.of(), Jdeps.cycles(deps), "package cycles");
    }
}
