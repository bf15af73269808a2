package edgepoll.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test standard, checked: tests wait for conditions with a bounded await (testkit Await, on a
 * counter, /proc, a file, a port), never with a sleep; deliberate scenario timing (a late reader, a
 * slowloris gap, a measuring window) goes through testkit Pace.hold, which says why. So no test
 * source of any module calls Thread.sleep or TimeUnit.X.sleep, except Pace itself.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadSleepTest {
    private static final Pattern SLEEP = Pattern.compile("\\bThread\\s*\\.\\s*sleep\\s*\\(|\\b(?:NANOSECONDS|MICROSECONDS|MILLISECONDS|SECONDS|MINUTES)\\s*\\.\\s*sleep\\s*\\(");
    /** What is not code, left to right: text blocks, strings, chars, block and line comments. */
    private static final Pattern NOT_CODE = Pattern.compile(
            "\"\"\"[\\s\\S]*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\])'|/\\*[\\s\\S]*?\\*/|//[^\\n]*");
    private static final String PACE = "server/src/test/java/edgepoll/server/testkit/Pace.java";

    @Test
    void noTestSleepsOutsideTestkitPace() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(root.resolve("server/src/test/java")), "the repository root at " + root);
        Map<String, Integer> found = new TreeMap<>();
        for (String module : List.of("server", "bench", "native-bindings", "bench-uring")) {
            Path tests = root.resolve(module).resolve("src/test");
            if (!Files.isDirectory(tests)) continue;
            try (Stream<Path> files = Files.walk(tests)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    int n = sleeps(Files.readString(f));
                    if (n > 0) found.put(root.relativize(f).toString(), n);
                }
            }
        }
        assertEquals(1, found.remove(PACE), "testkit Pace.hold is the one sleep: " + found);
        assertEquals(Map.of(), found, "test files that sleep (wait with Await.until on the condition itself;"
                + " deliberate scenario timing goes through Pace.hold, saying why): file=number of sleeps");
    }

    /** Sleep calls in a Java source; comments and literals left out. */
    static int sleeps(String source) {
        Matcher m = SLEEP.matcher(NOT_CODE.matcher(source).replaceAll(" "));
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void theMatcherSeesCallsAndSkipsComments() {
        String t = "Thread", dot = ".", s = "sleep";
        assertEquals(2, sleeps("a(); " + t + dot + s + "(5);\nTimeUnit.SECONDS" + dot + s + "(1); // " + t + dot + s + "(9)\n/* " + t + dot + s + "(1) */"));
        assertEquals(0, sleeps("Pace.hold(5, \"why\"); LockSupport.parkNanos(1);"));
        // a "/*" inside a string opens no comment: the call after it still counts
        assertEquals(1, sleeps("c.send(\"Accept: */*\\r\\n\"); char q = '\"'; " + t + dot + s + "(2); String u = \"http://x\";"));
    }
}
