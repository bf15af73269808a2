import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The end of scripts/test: java scripts/lib/TestSummary.java ROOT START_MILLIS WALL_SECONDS LOG EXIT.
 * Reads every module's target/surefire-reports/TEST-*.xml written since START_MILLIS (older ones are
 * left over from earlier runs) and prints one screen: per module the tests, failures, errors and
 * skips; each skipped test with its reason; each failure with its first message line; the lines the
 * tests print as "PARTIAL <what>: <reason>" (a test that ran but had to leave a part out); the wall
 * time and where the full log is.
 */
public class TestSummary {
    record Counts(int[] n) {
        Counts() { this(new int[4]); }  // tests, failures, errors, skipped
    }

    public static void main(String[] a) throws Exception {
        Path root = Path.of(a[0]);
        long since = Long.parseLong(a[1]);
        long wall = Long.parseLong(a[2]);
        Path log = Path.of(a[3]);
        int exit = Integer.parseInt(a[4]);

        Map<String, Counts> modules = new TreeMap<>();
        Map<String, Double> times = new TreeMap<>();
        List<String> skipped = new ArrayList<>(), failed = new ArrayList<>();
        var dbf = DocumentBuilderFactory.newInstance();
        List<Path> reports = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path module : dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).sorted().toList()) {
                Path dir = module.resolve("target/surefire-reports");
                if (!Files.isDirectory(dir)) continue;
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).sorted().forEach(reports::add);
                }
            }
        }
        for (Path report : reports) {
            if (Files.getLastModifiedTime(report).toMillis() < since) continue;
            String module = root.relativize(report).getName(0).toString();
            Element suite = dbf.newDocumentBuilder().parse(report.toFile()).getDocumentElement();
            Counts c = modules.computeIfAbsent(module, m -> new Counts());
            String[] attrs = {"tests", "failures", "errors", "skipped"};
            for (int i = 0; i < 4; i++) c.n[i] += intAttr(suite, attrs[i]);
            times.merge(module, Double.parseDouble(suite.getAttribute("time").replace(",", "")), Double::sum);
            NodeList cases = suite.getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element tc = (Element) cases.item(i);
                String name = shortClass(tc.getAttribute("classname")) + "." + tc.getAttribute("name");
                for (String kind : new String[] {"skipped", "failure", "error"}) {
                    NodeList l = tc.getElementsByTagName(kind);
                    if (l.getLength() == 0) continue;
                    Element e = (Element) l.item(0);
                    String msg = firstLine(e.getAttribute("message"));
                    if (msg.isEmpty()) msg = firstLine(e.getTextContent());  // "some.Exception: message" and the trace
                    msg = msg.replaceFirst("^org\\.opentest4j\\.TestAbortedException: ", "");
                    if (msg.isEmpty()) msg = e.getAttribute("type");
                    if (kind.equals("skipped")) {
                        skipped.add(String.format("  %-16s %s: %s", module, name, msg.isEmpty() ? "(no reason given)" : msg));
                    } else {
                        failed.add(String.format("  %-16s %s %s: %s", module, name, kind.equals("error") ? "ERROR" : "FAILED", msg));
                    }
                }
            }
        }

        List<String> partial = new ArrayList<>(), errors = new ArrayList<>();
        if (Files.isRegularFile(log)) {
            try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
                lines.forEach(l -> {
                    if (l.startsWith("PARTIAL ")) { if (!partial.contains(l)) partial.add(l); }
                    else if (l.startsWith("[ERROR]") && errors.size() < 12 && !l.matches("\\[ERROR\\]\\s*(-> \\[Help.*|To see the full stack trace.*|Re-run Maven.*|For more information.*|\\[Help \\d+\\].*)?")) errors.add(l);
                });
            }
        }

        String rule = "-".repeat(72);
        System.out.println(rule);
        System.out.printf("%-16s %7s %7s %7s %7s %9s%n", "module", "tests", "failed", "errors", "skipped", "time");
        int[] total = new int[4];
        double totalTime = 0;
        for (var e : modules.entrySet()) {
            int[] n = e.getValue().n;
            double t = times.get(e.getKey());
            System.out.printf("%-16s %7d %7d %7d %7d %8.0fs%n", e.getKey(), n[0], n[1], n[2], n[3], t);
            for (int i = 0; i < 4; i++) total[i] += n[i];
            totalTime += t;
        }
        if (modules.isEmpty()) System.out.println("(no test reports were written by this run)");
        else System.out.printf("%-16s %7d %7d %7d %7d %8.0fs%n", "total", total[0], total[1], total[2], total[3], totalTime);
        if (!skipped.isEmpty()) {
            System.out.println("Skipped (" + skipped.size() + "):");
            print(skipped, 15);
        }
        if (!partial.isEmpty()) {
            System.out.println("Ran in part (" + partial.size() + "):");
            print(partial.stream().map(l -> "  " + l.substring("PARTIAL ".length())).toList(), 8);
        }
        if (!failed.isEmpty()) {
            System.out.println("Failed (" + failed.size() + "):");
            print(failed, 15);
        } else if (exit != 0 && !errors.isEmpty()) {
            System.out.println("Maven failed before or outside the tests:");
            print(errors, 12);
        }
        System.out.printf("Wall time %d min %02d s. Full log: %s%n", wall / 60, wall % 60, root.relativize(log));
        String verdict = exit != 0 ? "FAILED (Maven exit " + exit + ")"
                : total[3] > 0 || !partial.isEmpty() ? "PASSED, with the skips listed above" : "PASSED";
        System.out.println(verdict);
    }

    private static void print(List<String> lines, int max) {
        lines.stream().limit(max).forEach(l -> System.out.println(l.length() > 160 ? l.substring(0, 157) + "..." : l));
        if (lines.size() > max) System.out.println("  ... and " + (lines.size() - max) + " more (see the log)");
    }

    private static int intAttr(Element e, String name) {
        String v = e.getAttribute(name);
        return v.isEmpty() ? 0 : Integer.parseInt(v.replace(",", ""));
    }

    private static String shortClass(String fqcn) {
        return fqcn.substring(fqcn.lastIndexOf('.') + 1);
    }

    private static String firstLine(String s) {
        s = s.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).strip();
    }
}
