package edgepoll.server.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The repository's own files as the tests that compare docs with code read them: the root (found
 * from the working directory, whichever module's tests run), a file by its path from the root,
 * README.md with every docs/*.md, and a page's fenced code blocks.
 */
public final class RepoFiles {
    private RepoFiles() {}

    /** The repository root: the nearest directory at or above the working directory holding README.md, docs/ and scripts/. */
    public static final Path ROOT = root();

    private static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))
                    && Files.isDirectory(p.resolve("scripts"))) {
                return p;
            }
        }
        throw new AssertionError("no README.md with docs/ and scripts/ above " + Path.of("").toAbsolutePath());
    }

    /** The text of {@code relative} (a path from the root); fails the test if it is missing. */
    public static String read(String relative) {
        Path p = ROOT.resolve(relative);
        if (!Files.isRegularFile(p)) throw new AssertionError(relative + " does not exist (looked at " + p + ")");
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** README.md and every docs/*.md, by path from the root, in that order (docs sorted by name). */
    public static Map<String, String> pages() {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("README.md", read("README.md"));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                pages.put("docs/" + p.getFileName(), read("docs/" + p.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /**
     * One fenced code block of a markdown page.
     *
     * @param info  what follows the opening fence ({@code sh}, or empty)
     * @param line  the 1-based line number of its first content line
     * @param lines its content lines
     */
    public record Block(String info, int line, List<String> lines) {}

    /** Every fenced (```) code block of {@code page}, in order. */
    public static List<Block> fencedBlocks(String page) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = page.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("```")) continue;
            String info = lines[i].substring(3).strip();
            List<String> body = new ArrayList<>();
            int start = i + 2;
            for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.add(lines[i]);
            blocks.add(new Block(info, start, body));
        }
        return blocks;
    }
}
