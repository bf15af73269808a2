package edgepoll.sys.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed jextract include list (native-bindings/jextract/includes.txt), parsed: the tests
 * derive what they check from the same file jextract was run with.
 */
public final class IncludeList {
    private IncludeList() {}

    /** One {@code --include-KIND NAME} line. */
    public record Entry(String kind, String name) {}

    /** The module's jextract folder; surefire runs with the module directory as working directory. */
    public static Path jextractDir() {
        Path p = Path.of("jextract");
        return Files.isDirectory(p) ? p : Path.of("native-bindings", "jextract");
    }

    public static List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(jextractDir().resolve("includes.txt"))) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] parts = t.split("\\s+");
            if (parts.length != 2 || !parts[0].startsWith("--include-")) {
                throw new IllegalStateException("includes.txt: not an --include-KIND NAME line: " + line);
            }
            entries.add(new Entry(parts[0].substring("--include-".length()), parts[1]));
        }
        return entries;
    }

    public static List<String> names(List<Entry> entries, String kind) {
        return entries.stream().filter(e -> e.kind().equals(kind)).map(Entry::name).toList();
    }
}
