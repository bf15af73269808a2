package edgepoll.server.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Package dependencies read from compiled classes by the JDK's own jdeps (every class reference, not
 * just imports), for the layering tests (server's PackageLayersTest, the lab's ModulePackagesTest).
 */
public final class Jdeps {
    private Jdeps() {}

    /**
     * Every package with a class under {@code classes} -> the edgepoll packages its classes refer to
     * (those of other modules too: edgepoll.sys and its subpackages as "edgepoll.sys", the bindings).
     */
    public static Map<String, Set<String>> packageDeps(Path classes) throws IOException {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
                "-e", "edgepoll\\..*", classes.toString());
        assertEquals(0, rc, "jdeps: " + err);
        Map<String, Set<String>> deps = new TreeMap<>();
        for (String p : packagesOf(classes)) deps.put(p, new TreeSet<>());
        Pattern line = Pattern.compile("^\\s+(edgepoll[\\w.]*)\\s+->\\s+(edgepoll[\\w.]*)\\s");
        for (String l : out.toString().split("\n")) {
            Matcher m = line.matcher(l + " ");
            if (!m.find()) continue;
            String from = m.group(1), to = m.group(2);
            if (to.startsWith("edgepoll.sys")) to = "edgepoll.sys";  // the bindings module, generated code included
            deps.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
        }
        return deps;
    }

    /** The packages (dotted names) of the class files under {@code classes}. */
    public static Set<String> packagesOf(Path classes) throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> s = Files.walk(classes)) {
            s.filter(f -> f.getFileName().toString().endsWith(".class") && !f.getFileName().toString().equals("module-info.class"))
                    .forEach(f -> packages.add(classes.relativize(f.getParent()).toString().replace('/', '.')));
        }
        return packages;
    }

    /** Each dependency of {@code deps} that {@code layers} does not allow, as "from -> to" (a package may use itself). */
    public static List<String> against(Map<String, Set<String>> deps, Map<String, Set<String>> layers) {
        List<String> wrong = new ArrayList<>();
        deps.forEach((from, tos) -> {
            for (String to : tos) {
                if (!to.equals(from) && !layers.getOrDefault(from, Set.of()).contains(to)) wrong.add(from + " -> " + to);
            }
        });
        return wrong;
    }

    /** Every cycle among the packages, as "a -> b -> a" (depth-first search). */
    public static List<String> cycles(Map<String, Set<String>> deps) {
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
