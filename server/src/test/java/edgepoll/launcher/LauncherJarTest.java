package edgepoll.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import edgepoll.server.testkit.JarContents;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * target/edgepoll.jar as `java -jar` meets it (the surefire execution "packaged", after package):
 * on a Java older than 22 one line and exit 1; on this JDK the launcher hands over to the real main.
 */
@Tag("packaged")
@Timeout(120)
class LauncherJarTest {
    private static final Path JAR = Path.of(System.getProperty("edgepoll.jar", "target/edgepoll.jar"));

    private record Run(int exit, String out) {}

    private static Run run(Path java, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "java -jar exits: " + out);
        return new Run(p.exitValue(), out);
    }

    /** The java of a JDK or JRE under /usr/lib/jvm older than 22, 17 preferred, or null. */
    private static Path oldJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) return null;
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> !Files.isSymbolicLink(h) && Files.isExecutable(h.resolve("bin/java")))
                    .filter(h -> feature(h) > 0 && feature(h) < Launcher.NEEDED)
                    .min(Comparator.comparingInt((Path h) -> Math.abs(feature(h) - 17)))
                    .map(h -> h.resolve("bin/java")).orElse(null);
        }
    }

    private static int feature(Path home) {
        try {
            for (String l : Files.readAllLines(home.resolve("release"))) {
                if (l.startsWith("JAVA_VERSION=")) return Launcher.feature(l.substring(13).replace("\"", ""));
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    /** The server, the launcher and the bindings; none of the lab's experiments (lab/target/lab.jar), tests or JMH. */
    @Test
    void theJarHoldsTheServerAndNoExperiment() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "no " + JAR + " (this test runs after package)");
        assertEquals(List.of(), JarContents.wrong(JAR), JAR.toString());
    }

    @Test
    void anOldJavaGetsOneLineAndExitOne() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "no " + JAR + " (this test runs after package)");
        Path java = oldJava();
        if (java == null) {
            String reason = "no Java older than 22 under /usr/lib/jvm (apt-get install openjdk-17-jre-headless)";
            System.err.println("SKIPPED LauncherJarTest: " + reason);
            Assumptions.abort(reason);
        }
        Run r = run(java, "--port", "0");
        assertEquals(1, r.exit, r.out);
        assertEquals(1, r.out.lines().count(), "exactly one line:\n" + r.out);
        assertTrue(r.out.startsWith("edgepoll: needs Java 22 or newer"), r.out);
        System.out.println(java + ": " + r.out.strip());
    }

    @Test
    void thisJavaRunsTheRealMain() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Run help = run(java, "--help");
        assertEquals(0, help.exit, help.out);
        assertTrue(help.out.startsWith("usage: java -jar edgepoll.jar"), help.out);
        Run bad = run(java, "--bogus");  // the real main's own exit status comes through
        assertEquals(2, bad.exit, bad.out);
        assertTrue(bad.out.startsWith("edgepoll: unknown option: --bogus"), bad.out);
    }

    @Test
    void versionsParse() {
        assertEquals(8, Launcher.feature("1.8"));
        assertEquals(17, Launcher.feature("17"));
        assertEquals(25, Launcher.feature("25"));
        assertEquals(25, Launcher.feature("25-ea"));
        assertEquals(0, Launcher.feature("x"));
    }
}
