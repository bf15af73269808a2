package edgepoll.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.config.Options;
import edgepoll.load.LoadOptions;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.RepoFiles;
import edgepoll.server.testkit.ServerHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The documentation and the code say the same thing, in both directions: every server and load
 * generator flag, every subcommand, every key of the stats JSON, every script, and every page the
 * README links. A flag added without a line in docs/, or a documented key the JSON no longer has,
 * fails here. Each check also asserts it found something to compare, so an unparsed page cannot
 * pass by being empty.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocsTruthTest {
    private static final Pattern FLAG = Pattern.compile("--[a-z][a-z0-9-]*");
    /** Keys that are data, not schema: errno names and the events histogram's bucket floors. */
    private static final Pattern DATA_KEY = Pattern.compile("E[A-Z0-9]+|[0-9]+\\+?");

    private static final Path ROOT = RepoFiles.ROOT;

    private static String read(String relative) {
        return RepoFiles.read(relative);
    }

    private static Map<String, String> pages() {
        return RepoFiles.pages();
    }

    /** The part of a markdown page from the heading containing {@code heading} to the next heading of any level. */
    private static String section(String page, String heading) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : page.split("\n", -1)) {
            if (line.startsWith("#")) {
                if (in) break;
                in = line.contains(heading);
                continue;
            }
            if (in) out.add(line);
        }
        assertTrue(in || !out.isEmpty(), "a heading containing \"" + heading + "\"");
        return String.join("\n", out);
    }

    /** The flags named in the first cell of each table row (the flag tables). */
    private static Set<String> tableFlags(String text) {
        Set<String> flags = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("|")) continue;
            String[] cells = line.split("(?<!\\\\)\\|");
            if (cells.length < 2) continue;
            Matcher m = FLAG.matcher(cells[1]);
            while (m.find()) flags.add(m.group());
        }
        return flags;
    }

    /** The flags a usage text defines: the first word of each option line. */
    private static Set<String> usageFlags(String usage) {
        Set<String> flags = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+(--[a-z][a-z0-9-]*)").matcher(usage);
        while (m.find()) flags.add(m.group(1));
        return flags;
    }

    @Test
    void serverFlagTableEqualsUsage() throws IOException {
        Set<String> usage = usageFlags(Options.usage());
        Set<String> table = tableFlags(section(read("docs/running.md"), "Every flag"));
        System.out.println("server flags: " + usage.size() + " in Options.usage(), " + table.size() + " in docs/running.md's table");
        assertTrue(usage.size() >= 25 && usage.contains("--mode") && usage.contains("--stats-json"), usage.toString());
        assertEquals(Set.of(), diff(usage, table), "flags in Options.usage() missing from docs/running.md's flag table");
        assertEquals(Set.of(), diff(table, usage), "flags in docs/running.md's flag table that Options.usage() does not have");
        String all = String.join("\n", pages().values());
        for (String mode : Options.MODES) {
            assertTrue(all.contains("--mode " + mode) || all.contains("`" + mode + "`"), "--mode " + mode + " documented");
        }
    }

    @Test
    void loadFlagTableEqualsUsage() throws IOException {
        Set<String> usage = usageFlags(LoadOptions.usage());
        Set<String> table = tableFlags(section(read("docs/benchmarks.md"), "The load generator"));
        System.out.println("load flags: " + usage.size() + " in LoadOptions.usage(), " + table.size() + " in docs/benchmarks.md's table");
        assertTrue(usage.size() >= 10 && usage.contains("--rate"), usage.toString());
        assertEquals(Set.of(), diff(usage, table), "load flags missing from docs/benchmarks.md's load generator table");
        assertEquals(Set.of(), diff(table, usage), "flags in docs/benchmarks.md's load generator table that LoadOptions.usage() does not have");
    }

    /** The subcommands --help lists are documented, and every documented `scripts/run WORD` is one. */
    @Test
    void subcommandsMatch() throws IOException {
        Set<String> usage = new TreeSet<>();
        Matcher m = Pattern.compile("java -jar edgepoll\\.jar ([a-z][a-z-]*)").matcher(Options.usage());
        while (m.find()) usage.add(m.group(1));
        assertTrue(usage.containsAll(List.of("client", "load")), "subcommands in Options.usage(): " + usage);
        Set<String> documented = new TreeSet<>();
        Pattern use = Pattern.compile("(?:scripts/run|java -jar \\S*edgepoll\\.jar) ([a-z][a-z-]*)");
        for (var e : pages().entrySet()) {
            Matcher u = use.matcher(e.getValue());
            while (u.find()) documented.add(u.group(1));
        }
        System.out.println("subcommands: " + usage + " in --help, " + documented + " in the docs");
        assertEquals(usage, documented, "subcommands in Options.usage() vs `scripts/run WORD` / `edgepoll.jar WORD` in README.md and docs/");
    }

    /** Every key of a real server's stats JSON (live and at stop) is in docs/observability.md's schema, and back. */
    @Test
    void statsJsonKeysEqualTheSchema() throws Exception {
        Set<String> json = new TreeSet<>();
        try (ServerHandle s = ServerHandle.start("et")) {
            try (RawClient c = new RawClient(s.port())) {
                for (int i = 0; i < 3; i++) {
                    c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                }
                c.send("GET /_edgepoll/stats HTTP/1.1\r\nHost: x\r\n\r\n");
                RawClient.Response r = c.readResponse(false);
                assertEquals(200, r.status());
                json.addAll(keys(r.bodyText(), true));
            }
            json.addAll(keys(s.stop().toJson(), true));
        }
        String block = firstCodeBlock(section(read("docs/observability.md"), "JSON schema"));
        Set<String> schema = keys(block, false);
        System.out.println("stats JSON: " + json.size() + " keys in a real run, " + schema.size() + " in docs/observability.md's schema");
        assertTrue(json.size() >= 40 && json.contains("requests") && json.contains("epoll_wait"), json.toString());
        assertEquals(Set.of(), diff(json, schema), "keys of the stats JSON missing from docs/observability.md's schema");
        assertEquals(Set.of(), diff(schema, json), "keys in docs/observability.md's schema that the stats JSON does not have");
    }

    /** Quoted names: in JSON the keys (a string then a colon), in the schema every quoted string. */
    private static Set<String> keys(String text, boolean json) {
        Set<String> keys = new TreeSet<>();
        Matcher m = Pattern.compile(json ? "\"([^\"]+)\"\\s*:" : "\"([^\"\\s]+)\"").matcher(text);
        while (m.find()) {
            if (!DATA_KEY.matcher(m.group(1)).matches()) keys.add(m.group(1));
        }
        return keys;
    }

    private static String firstCodeBlock(String text) {
        int a = text.indexOf("```");
        assertTrue(a >= 0, "a code block");
        int start = text.indexOf('\n', a) + 1;
        int end = text.indexOf("```", start);
        assertTrue(end > start, "a closed code block");
        return text.substring(start, end);
    }

    /** Every script is documented somewhere, and every `scripts/X` the docs name exists. */
    @Test
    void scriptsMatch() throws IOException {
        Set<String> scripts = new TreeSet<>();
        try (Stream<Path> s = Files.list(ROOT.resolve("scripts"))) {
            s.filter(Files::isRegularFile).forEach(p -> scripts.add(p.getFileName().toString()));
        }
        Set<String> named = new TreeSet<>();
        Pattern ref = Pattern.compile("scripts/([a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9])");
        for (String text : pages().values()) {
            Matcher m = ref.matcher(text);
            while (m.find()) named.add(m.group(1));
        }
        System.out.println("scripts: " + scripts.size() + " in scripts/, " + named.size() + " named in README.md and docs/");
        assertTrue(scripts.size() >= 10 && scripts.contains("run") && scripts.contains("test"), scripts.toString());
        assertEquals(Set.of(), diff(scripts, named), "scripts in scripts/ that README.md and docs/ never mention");
        Set<String> missing = new TreeSet<>();
        for (String n : named) {
            if (!Files.exists(ROOT.resolve("scripts").resolve(n))) missing.add(n);
        }
        assertEquals(Set.of(), missing, "scripts/X named in README.md or docs/ that do not exist");
    }

    /** The README's promises: short, the two commands first, no machine paths, links that resolve. */
    @Test
    void readmeOrientsAndLinksResolve() throws IOException {
        String readme = read("README.md");
        List<String> lines = readme.lines().toList();
        System.out.println("README.md: " + lines.size() + " lines");
        assertTrue(lines.size() <= 200, "README.md has " + lines.size() + " lines (at most 200)");
        assertTrue(lines.size() >= 100, "README.md has " + lines.size() + " lines: too short to orient");
        String block = firstCodeBlock(readme);
        assertTrue(readme.indexOf("```") < readme.indexOf("\n## "), "the first code block comes before the first section");
        List<String> commands = block.lines().map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
        assertEquals(List.of("scripts/run", "scripts/test"), commands, "the README's first code block: exactly the two set-up commands");

        int links = 0;
        List<String> broken = new ArrayList<>();
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+\\.md)(#[^)]*)?\\)");
        for (var e : pages().entrySet()) {
            Path dir = ROOT.resolve(e.getKey()).getParent();
            Matcher m = link.matcher(e.getValue());
            while (m.find()) {
                if (m.group(1).startsWith("http")) continue;
                links++;
                if (!Files.isRegularFile(dir.resolve(m.group(1)).normalize())) broken.add(e.getKey() + " -> " + m.group(1));
            }
            // machine paths are spelled in two pieces so that this file holds none itself
            for (String bad : List.of("shared/seeds", "/" + "work/", "/tmp/" + "jx", "this 2-core machine")) {
                assertTrue(!e.getValue().contains(bad), e.getKey() + " contains \"" + bad + "\"");
            }
        }
        Matcher docsLinks = link.matcher(readme);
        int readmeDocs = 0;
        while (docsLinks.find()) if (docsLinks.group(1).startsWith("docs/")) readmeDocs++;
        System.out.println("links: " + links + " to .md pages checked, " + readmeDocs + " from README.md into docs/");
        assertTrue(readmeDocs >= 10, "README.md links " + readmeDocs + " docs/ pages");
        assertEquals(List.of(), broken, "links to .md files that do not exist");
    }

    private static Set<String> diff(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
