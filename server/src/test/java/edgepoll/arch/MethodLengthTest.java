package edgepoll.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No hand-written method of the project's production code is over {@link #MAX_LINES} lines: every
 * source tree {@code MODULE/src/SET/java} of the repository (server, bench, bench-uring,
 * native-bindings' hand-written part, the launcher, and any module added later) except the test
 * trees and native-bindings' jextract output ({@code src/generated}). Read by a brace-counting
 * scanner (comments, strings, text blocks and character literals blanked first), good enough for
 * this codebase's style; it prints the longest methods it found.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MethodLengthTest {
    static final int MAX_LINES = 80;

    /**
     * Methods allowed over the limit, as Class.method: none. (An entry that is no longer over the
     * limit fails the test, so an exception, if one is ever needed, cannot outlive its reason.)
     */
    private static final Set<String> ALLOWED = Set.of();

    /** Source sets that are not hand-written production code. */
    private static final Set<String> SKIPPED_SETS = Set.of("test", "generated");

    record Method(String file, String name, int line, int lines) {
        @Override
        public String toString() {
            return String.format("%4d lines  %s  (%s:%d)", lines, name, file, line);
        }
    }

    @Test
    void noMethodIsLongerThanTheLimit() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(root.resolve("server/src/main/java/edgepoll/config/Options.java")),
                "the repository root is the server module's parent: " + root);
        List<Path> trees = sourceTrees(root);
        List<String> names = trees.stream().map(t -> root.relativize(t).toString()).toList();
        System.out.println("scanned source trees: " + names);
        assertTrue(names.containsAll(List.of("server/src/main/java", "bench/src/main/java", "bench-uring/src/main/java",
                "native-bindings/src/main/java")), names.toString());
        List<Method> all = new ArrayList<>();
        for (Path tree : trees) {
            try (Stream<Path> files = Files.walk(tree)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    all.addAll(methods(root.relativize(f).toString(), Files.readString(f)));
                }
            }
        }
        all.sort(Comparator.comparingInt(Method::lines).reversed());
        System.out.println(all.size() + " methods; the longest (limit " + MAX_LINES + " lines):");
        all.stream().limit(12).forEach(m -> System.out.println("  " + m));
        assertTrue(all.size() > 500 && all.stream().anyMatch(m -> m.name().equals("Options.parse")),
                "the scanner finds the methods (" + all.size() + ")");
        List<Method> over = all.stream().filter(m -> m.lines() > MAX_LINES && !ALLOWED.contains(m.name())).toList();
        assertEquals(List.of(), over, "methods over " + MAX_LINES + " lines: split them");
        Set<String> stale = new TreeSet<>(ALLOWED);
        all.stream().filter(m -> m.lines() > MAX_LINES).forEach(m -> stale.remove(m.name()));
        assertEquals(Set.of(), stale, "allowed over the limit but no longer over it (or gone): remove from ALLOWED");
    }

    /** The scanner itself: nested and anonymous classes, lambdas, text blocks, braces in strings and comments. */
    @Test
    void theScannerCountsWhatItShould() {
        String src = """
                package x;
                @Deprecated
                public final class A {
                    static final Runnable R = new Runnable() {
                        @Override public void run() {
                            System.out.println("}}} {");
                        }
                    };
                    @SuppressWarnings({"a", "b"})
                    static <E> E pick(java.util.List<E> l) throws Exception {
                        // } a brace in a comment
                        String t = \"""
                            { text block }
                            \""";
                        char c = '}';
                        Runnable r = () -> { if (l.isEmpty()) { return; } };
                        return l.get(0);
                    }
                    record R(int a) {
                        int twice() { return a * 2; }
                    }
                    enum E { ONE, TWO; int n() {
                        return 1;
                    } }
                    static { int[] k = {1, 2}; }
                }
                """;
        List<Method> m = methods("A.java", src);
        assertEquals(List.of("A.run 3 5", "A.pick 9 10", "A.R.twice 1 20", "A.E.n 3 22"),
                m.stream().map(x -> x.name() + " " + x.lines() + " " + x.line()).toList());
    }

    /** Every {@code src/SET/java} directory under {@code root} but the skipped sets and build output. */
    static List<Path> sourceTrees(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root, 5)) {
            return s.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().equals("java") && p.getParent().getParent() != null
                            && p.getParent().getParent().getFileName().toString().equals("src"))
                    .filter(p -> !SKIPPED_SETS.contains(p.getParent().getFileName().toString()))
                    .filter(p -> root.relativize(p).toString().split("/").length == 4)  // MODULE/src/SET/java
                    .filter(p -> !root.relativize(p).startsWith(".git"))
                    .sorted()
                    .toList();
        }
    }

    private enum Kind { CLASS, METHOD, BLOCK }

    private record Scope(Kind kind, String name, int line) {}

    private static final Pattern TYPE = Pattern.compile("\\b(class|interface|enum|record)\\s+(\\w+)");
    private static final Pattern ANONYMOUS = Pattern.compile("\\bnew\\s+[\\w.<>, ?]+\\s*\\([^()]*\\)\\s*$");
    private static final Pattern ANNOTATION = Pattern.compile("@\\w+(\\.\\w+)*(\\s*\\([^()]*\\))?");
    private static final Pattern NAME = Pattern.compile("(\\w+)\\s*\\(");

    /** The methods (and constructors) of one source file, with their first line and length in lines. */
    static List<Method> methods(String file, String source) {
        String code = blank(source);
        List<Method> out = new ArrayList<>();
        Deque<Scope> stack = new ArrayDeque<>();
        int line = 1, headerStart = 0, parens = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '\n') line++;
            else if (c == '(') parens++;
            else if (c == ')') parens--;
            else if (c == ';') headerStart = i + 1;
            else if (c == '}') {
                Scope s = stack.pop();
                if (s.kind() == Kind.METHOD) out.add(new Method(file, s.name(), s.line(), line - s.line() + 1));
                headerStart = i + 1;
            } else if (c == '{') {
                stack.push(scope(code.substring(headerStart, i), stack, parens, line));
                headerStart = i + 1;
            }
        }
        return out;
    }

    /** What the block opened after {@code header} is: a type body, a method body, or any other block. */
    private static Scope scope(String header, Deque<Scope> stack, int parens, int braceLine) {
        // annotations blanked to spaces, newlines kept: offsets and line counts stay those of the header
        String h = ANNOTATION.matcher(header).replaceAll(m -> m.group().replaceAll("[^\n]", " "));
        String outer = stack.stream().filter(s -> s.kind() == Kind.CLASS).findFirst().map(Scope::name).orElse("");
        Matcher type = TYPE.matcher(h);
        if (parens == 0 && type.find()) return new Scope(Kind.CLASS, outer.isEmpty() ? type.group(2) : outer + "." + type.group(2), braceLine);
        if (ANONYMOUS.matcher(h.strip()).find()) return new Scope(Kind.CLASS, outer, braceLine);
        boolean inType = !stack.isEmpty() && stack.peek().kind() == Kind.CLASS;
        Matcher name = NAME.matcher(h);
        if (inType && parens == 0 && !h.contains("=") && !h.contains("->") && name.find()) {
            int first = braceLine - (int) h.substring(name.start()).chars().filter(ch -> ch == '\n').count();
            return new Scope(Kind.METHOD, outer + "." + name.group(1), first);
        }
        return new Scope(Kind.BLOCK, outer, braceLine);
    }

    /** The source with comments, string and character literals and text blocks turned to spaces, newlines kept. */
    static String blank(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int end;
            if (s.startsWith("//", i)) end = s.indexOf('\n', i) < 0 ? n : s.indexOf('\n', i);
            else if (s.startsWith("/*", i)) end = s.indexOf("*/", i + 2) + 2;
            else if (s.startsWith("\"\"\"", i)) end = closing(s, i + 3, "\"\"\"");
            else if (c == '"') end = closing(s, i + 1, "\"");
            else if (c == '\'') end = closing(s, i + 1, "'");
            else {
                b.append(c);
                i++;
                continue;
            }
            if (end < i) throw new UncheckedIOException(new IOException("unterminated literal or comment at offset " + i));
            for (int k = i; k < end; k++) b.append(s.charAt(k) == '\n' ? '\n' : ' ');
            i = end;
        }
        return b.toString();
    }

    /** The offset just past the unescaped {@code quote} that closes a literal whose body starts at {@code from}. */
    private static int closing(String s, int from, String quote) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == '\\') i++;
            else if (s.startsWith(quote, i)) return i + quote.length();
        }
        return -1;
    }
}
