package edgepoll.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RepoFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/architecture.md against the code, so that it cannot go stale unnoticed. Its conventions:
 * <ul>
 *   <li>every name in backticks is checked: a class ({@code `EventLoop`}, {@code `Loops.Kind`}; a JDK
 *       class such as {@code `Arena`} too), a member ({@code `Class.method`}, {@code `Class#method`},
 *       {@code `Class.CONSTANT`}: declared in the file that declares the class), a package
 *       ({@code `edgepoll.loop`}), a path from the repository root ({@code `scripts/run`},
 *       {@code `bench/src/main/c/cfloor.c`}), a file name ({@code `rateload.c`}) or an ALL_CAPS constant
 *       (a word of some source file). A span with a space in it is code, not a name, and is not checked.
 *       Searched: every module's {@code src/} (main, test, launcher, generated), scripts/ and docs/.</li>
 *   <li>a line count is written {@code `Name` (N lines)} (a class or a path) and must be within 10%.</li>
 *   <li>every {@code ```sh} block is runnable: each line that is not a comment runs with bash from
 *       the root and must exit 0 in time ({@link ArchitectureDocCommandsTest}, after package).</li>
 *   <li>every package of the server module is named, and so is each of {@link #REQUIRED}; the layer
 *       table ("may use") equals {@code PackageLayersTest}'s LAYERS.</li>
 * </ul>
 * Each check lists every wrong name, count or command at once, with its line in the page.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ArchitectureDocTest {
    static final String PAGE = "docs/architecture.md";
    static final List<String> REQUIRED = List.of("SharedEpoll", "SharedEpollLoop", "NaiveEt", "OwedQueue", "Launcher", "Loops.create");
    private static final Path ROOT = RepoFiles.ROOT;
    /** JDK packages a backticked class may come from when no source file declares it. */
    private static final List<String> JDK = List.of("java.lang.", "java.lang.foreign.", "java.util.", "java.util.concurrent.",
            "java.util.concurrent.atomic.", "java.nio.file.", "java.io.");
    private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern COUNT = Pattern.compile("`([^`\\s]+)` \\((\\d+) lines\\)");
    private static final Pattern TYPE_DECL = Pattern.compile(
            "(?m)^[ \\t]*(?:(?:public|protected|private|static|final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+([A-Z]\\w*)");

    static final String TEXT = RepoFiles.read(PAGE);
    /** The page without its fenced blocks, each line kept (blank) so line numbers stay true. */
    private static final String PROSE = withoutFences(TEXT);
    private static final Sources SOURCES = Sources.scan();

    @Test
    void everyNameExists() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        Matcher m = SPAN.matcher(PROSE);
        while (m.find()) {
            String name = m.group(1).strip();
            String why = SOURCES.check(name);
            if (why == Sources.UNCHECKED) continue;
            checked++;
            if (why != null) problems.add(PAGE + ":" + lineOf(PROSE, m.start()) + ": `" + name + "`: " + why);
        }
        Matcher pk = Pattern.compile("\\bedgepoll(?:\\.[a-z]\\w*)+").matcher(TEXT);  // in the pictures too
        while (pk.find()) {
            String name = pk.group();
            if (name.endsWith(".jar")) continue;  // edgepoll.jar, a file
            if (!SOURCES.packages.contains(name)) problems.add(PAGE + ":" + lineOf(TEXT, pk.start()) + ": " + name + ": no such package in any module's src/");
        }
        System.out.println(PAGE + ": " + checked + " names in backticks checked against " + SOURCES.files.size() + " source files");
        assertTrue(checked >= 100, "only " + checked + " names found in " + PAGE);
        assertEquals(List.of(), problems, "names in " + PAGE + " that the sources do not have (fix the page, or the name)");
    }

    @Test
    void lineCountsWithinTenPercent() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        Matcher m = COUNT.matcher(PROSE);
        while (m.find()) {
            checked++;
            String name = m.group(1);
            int written = Integer.parseInt(m.group(2));
            String where = PAGE + ":" + lineOf(PROSE, m.start()) + ": `" + name + "` (" + written + " lines): ";
            List<Path> files = SOURCES.fileOf(name);
            if (files.size() != 1) {
                problems.add(where + (files.isEmpty() ? "no file " + name + (name.contains("/") ? "" : ".java") + " in the sources"
                        : "ambiguous, " + files.size() + " files: " + files.stream().map(ROOT::relativize).toList() + " (write the path)"));
                continue;
            }
            int real = lines(files.get(0));
            if (Math.abs(written - real) > real * 0.10) {
                problems.add(where + ROOT.relativize(files.get(0)) + " has " + real + " lines (10% allowed: "
                        + (int) Math.ceil(real * 0.9) + "–" + (int) Math.floor(real * 1.1) + ")");
            }
        }
        System.out.println(PAGE + ": " + checked + " line counts checked");
        assertTrue(checked >= 30, "only " + checked + " \"`Name` (N lines)\" found in " + PAGE);
        assertEquals(List.of(), problems, "line counts in " + PAGE + " more than 10% off");
    }

    /** Every package of the server module (its src/main and src/launcher) is named, and every one of REQUIRED. */
    @Test
    void everyPackageAndTheRequiredNamesAreNamed() throws IOException {
        Set<String> packages = new TreeSet<>();
        for (String root : List.of("server/src/main/java", "server/src/launcher/java")) {
            Path r = ROOT.resolve(root);
            try (Stream<Path> s = Files.walk(r)) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(p -> packages.add(r.relativize(p.getParent()).toString().replace('/', '.')));
            }
        }
        List<String> problems = new ArrayList<>();
        for (String p : packages) {
            if (!Pattern.compile("`" + Pattern.quote(p) + "`").matcher(PROSE).find()) problems.add("package " + p + " (a package of the server module) is not named as `" + p + "`");
        }
        for (String n : REQUIRED) {
            if (!PROSE.contains("`" + n + "`")) problems.add("`" + n + "` is not named");
        }
        System.out.println(PAGE + ": " + packages.size() + " server packages " + packages + " and " + REQUIRED);
        assertTrue(packages.size() >= 10 && packages.contains("edgepoll.loop"), packages.toString());
        assertEquals(List.of(), problems, PAGE + " must name every server package and " + REQUIRED);
    }

    /** The layer table's "may use" column, row by row, equals PackageLayersTest's LAYERS. */
    @Test
    void layerTableEqualsPackageLayersTest() throws Exception {
        Field f = Class.forName("edgepoll.arch.PackageLayersTest").getDeclaredField("LAYERS");
        f.setAccessible(true);
        @SuppressWarnings("unchecked")
        Map<String, Set<String>> layers = (Map<String, Set<String>>) f.get(null);
        Map<String, Set<String>> table = new TreeMap<>();
        Map<String, Integer> at = new HashMap<>();
        String[] lines = TEXT.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = Pattern.compile("^\\| `(edgepoll\\.[a-z.]+)` \\|.*\\| ([^|]*) \\|$").matcher(lines[i]);
            if (!m.find()) continue;
            Set<String> uses = new TreeSet<>();
            for (String u : m.group(2).split(",")) if (!u.isBlank() && !u.strip().equals("–")) uses.add("edgepoll." + u.strip());
            table.put(m.group(1), uses);
            at.put(m.group(1), i + 1);
        }
        List<String> problems = new ArrayList<>();
        for (var e : layers.entrySet()) {
            Set<String> doc = table.get(e.getKey());
            if (doc == null) problems.add(e.getKey() + ": in PackageLayersTest.LAYERS, no row in " + PAGE + "'s layer table");
            else if (!doc.equals(new TreeSet<>(e.getValue()))) {
                problems.add(PAGE + ":" + at.get(e.getKey()) + ": " + e.getKey() + " may use " + doc + " here, " + new TreeSet<>(e.getValue()) + " in PackageLayersTest.LAYERS");
            }
        }
        for (String p : table.keySet()) if (!layers.containsKey(p)) problems.add(PAGE + ":" + at.get(p) + ": " + p + ": a row here, not in PackageLayersTest.LAYERS");
        System.out.println(PAGE + ": layer table of " + table.size() + " rows, LAYERS of " + layers.size());
        assertTrue(table.size() >= 10, "layer table rows found: " + table.keySet());
        assertEquals(List.of(), problems, "the layer table of " + PAGE + " against PackageLayersTest.LAYERS");
    }

    private static int lineOf(String text, int index) {
        int n = 1;
        for (int i = 0; i < index; i++) if (text.charAt(i) == '\n') n++;
        return n;
    }

    private static int lines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutFences(String text) {
        StringBuilder b = new StringBuilder();
        boolean in = false;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("```")) in = !in;
            b.append(in || line.startsWith("```") ? "" : line).append('\n');
        }
        return b.toString();
    }

    /** The repository's sources, indexed once: files, declared types, packages. */
    private static final class Sources {
        static final String UNCHECKED = "";
        final List<Path> files = new ArrayList<>();
        final Map<String, List<Path>> types = new HashMap<>();
        final Set<String> packages = new TreeSet<>();
        private final Map<Path, String> texts = new HashMap<>();

        static Sources scan() {
            Sources s = new Sources();
            try (Stream<Path> top = Files.list(ROOT)) {
                List<Path> roots = new ArrayList<>(List.of(ROOT.resolve("scripts"), ROOT.resolve("docs")));
                top.filter(d -> Files.isDirectory(d.resolve("src"))).forEach(d -> roots.add(d.resolve("src")));
                for (Path r : roots) {
                    try (Stream<Path> w = Files.walk(r)) {
                        w.filter(Files::isRegularFile).forEach(s.files::add);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Pattern pkg = Pattern.compile("(?m)^package\\s+([\\w.]+);");
            for (Path f : s.files) {
                if (!f.toString().endsWith(".java")) continue;
                String t = s.text(f);
                Matcher m = TYPE_DECL.matcher(t);
                while (m.find()) s.types.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f);
                Matcher p = pkg.matcher(t);
                if (p.find()) s.packages.add(p.group(1));
            }
            return s;
        }

        String text(Path f) {
            return texts.computeIfAbsent(f, p -> {
                try {
                    return Files.readString(p, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";  // a binary file: no names in it
                }
            });
        }

        /** The file a "(N lines)" name means: a path from the root, or the file named Name.java. */
        List<Path> fileOf(String name) {
            if (name.contains("/")) return Files.isRegularFile(ROOT.resolve(name)) ? List.of(ROOT.resolve(name)) : List.of();
            return files.stream().filter(f -> f.getFileName().toString().equals(name + ".java")).toList();
        }

        /** null if {@code name} exists, UNCHECKED if it is no kind of name this test checks, else why it does not. */
        String check(String name) {
            name = name.replaceAll("\\(\\)$", "");
            if (name.contains(" ") || name.startsWith("/") || name.startsWith("-")) return UNCHECKED;
            if (name.contains("/")) {
                if (!name.matches("[\\w.\\-]+(/[\\w.\\-]+)*/?")) return UNCHECKED;
                return Files.exists(ROOT.resolve(name)) ? null : "no such file or directory from the repository root";
            }
            if (name.matches("edgepoll(\\.[a-z]\\w*)+")) return packages.contains(name) ? null : "no such package in any module's src/";
            if (name.matches("edgepoll(\\.[a-z]\\w*)+(\\.[A-Z]\\w*)([.#]\\w+)*")) {
                String pkgName = name.replaceAll("\\.[A-Z].*", "");
                if (!packages.contains(pkgName)) return "no such package " + pkgName;
                return check(name.substring(pkgName.length() + 1));
            }
            if (name.matches("[a-z][\\w\\-]*\\.(java|c|h|sh|md|xml|txt|json)")) {
                String n = name;
                return files.stream().anyMatch(f -> f.getFileName().toString().equals(n)) ? null : "no file of that name in the sources";
            }
            if (name.matches("[A-Z][A-Z0-9_]{2,}")) {
                Pattern word = Pattern.compile("\\b" + name + "\\b");
                return files.stream().anyMatch(f -> word.matcher(text(f)).find()) ? null : "no source file has the word " + name;
            }
            if (!name.matches("[A-Z]\\w*([.#][A-Za-z_]\\w*)*")) return UNCHECKED;
            String[] parts = name.split("[.#]");
            List<Path> in = types.get(parts[0]);
            if (in == null) return jdk(parts);
            for (int i = 1; i < parts.length; i++) {
                String part = parts[i];
                List<Path> nested = in.stream().filter(f -> declaresType(text(f), part)).toList();
                if (Character.isUpperCase(part.charAt(0)) && !nested.isEmpty()) {
                    in = nested;
                    continue;
                }
                if (in.stream().noneMatch(f -> declaresMember(text(f), part))) {
                    return "no member " + part + " declared in " + in.stream().map(ROOT::relativize).toList();
                }
                if (i < parts.length - 1) return UNCHECKED;  // a member's member: not followed
                return null;
            }
            return null;
        }

        /** A JDK class (and member) named where no source file declares the class. */
        private static String jdk(String[] parts) {
            for (String p : JDK) {
                try {
                    Class<?> c = Class.forName(p + parts[0]);
                    if (parts.length == 1) return null;
                    String m = parts[1];
                    boolean found = Arrays.stream(c.getMethods()).anyMatch(x -> x.getName().equals(m))
                            || Arrays.stream(c.getFields()).anyMatch(x -> x.getName().equals(m));
                    return found ? null : "no member " + m + " in " + c.getName();
                } catch (ClassNotFoundException e) {
                    // try the next package
                }
            }
            return "no class " + parts[0] + " declared in any module's src/ (nor a JDK class of " + JDK + ")";
        }

        private static boolean declaresType(String text, String name) {
            Matcher m = TYPE_DECL.matcher(text);
            while (m.find()) if (m.group(1).equals(name)) return true;
            return false;
        }

        /** A method, field, constant, enum constant or record component named {@code m} is declared in {@code text}. */
        static boolean declaresMember(String text, String m) {
            String q = Pattern.quote(m);
            String lead = "(?m)^[ \\t]*(?!return\\b|throw\\b|new\\b|else\\b|case\\b|yield\\b)[\\w@<>\\[\\],.? ]*[\\w>\\]]\\s+" + q;
            return Pattern.compile(lead + "\\s*\\(").matcher(text).find()                      // a method
                    || Pattern.compile(lead + "\\s*(=|;|,)").matcher(text).find()              // a field or constant
                    || Pattern.compile("(?m)^\\s*" + q + "\\s*[,;(]").matcher(text).find()      // an enum constant, one a line
                    || Pattern.compile("enum\\s+\\w+\\s*\\{[^}]*\\b" + q + "\\b").matcher(text).find()  // an enum on one line
                    || Pattern.compile("record\\s+\\w+\\s*(<[^>]*>)?\\s*\\([^)]*[\\w>\\]]\\s+" + q + "\\s*[,)]").matcher(text).find();  // a record component
        }
    }
}
