package edgepoll.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RepoFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The commands docs/architecture.md shows in its {@code ```sh} blocks run and exit 0, each within
 * {@link #COMMAND_SECONDS}: the surefire execution "packaged", after package, so that the jar they
 * run (through scripts/run, as the docs spell it) is the one just built. The rest of the page's
 * checks are {@link ArchitectureDocTest}'s.
 */
@Tag("packaged")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ArchitectureDocCommandsTest {
    static final int COMMAND_SECONDS = 60;
    private static final Path ROOT = RepoFiles.ROOT;

    /**
     * Every line of every ```sh block runs (bash, from the root, JAVA_HOME this JVM's) and exits 0 in
     * time. After package (the jar the commands run is then fresh); a PATH whose mvn refuses keeps a
     * command from building anything.
     */
    @Test
    void commandsRun() throws Exception {
        Path bin = Files.createTempDirectory("archdoc-bin");
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\necho 'ArchitectureDocTest: a command of docs/architecture.md ran mvn (is the jar older than its sources?)' >&2\nexit 1\n");
        mvn.toFile().setExecutable(true);
        List<String> problems = new ArrayList<>();
        int ran = 0;
        try {
            for (RepoFiles.Block b : RepoFiles.fencedBlocks(ArchitectureDocTest.TEXT)) {
                if (!b.info().equals("sh")) continue;
                for (int i = 0; i < b.lines().size(); i++) {
                    String cmd = b.lines().get(i).strip();
                    if (cmd.isEmpty() || cmd.startsWith("#")) continue;
                    ran++;
                    String why = run(cmd, bin);
                    System.out.println(ArchitectureDocTest.PAGE + ":" + (b.line() + i) + ": " + cmd + (why == null ? ": exit 0" : ": " + why));
                    if (why != null) problems.add(ArchitectureDocTest.PAGE + ":" + (b.line() + i) + ": `" + cmd + "`: " + why);
                }
            }
        } finally {
            Files.deleteIfExists(mvn);
            Files.deleteIfExists(bin);
        }
        assertTrue(ran >= 1, "no command in a ```sh block of " + ArchitectureDocTest.PAGE);
        assertEquals(List.of(), problems, "commands of " + ArchitectureDocTest.PAGE + " that did not exit 0");
    }

    /** Runs {@code cmd}; null when it exited 0 in time, else what went wrong and its last lines of output. */
    private static String run(String cmd, Path bin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Path out = Files.createTempFile("archdoc", ".out");
        pb.redirectOutput(out.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            boolean ended = p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            List<String> lines = Arrays.asList(text.strip().split("\n"));
            String last = String.join(" / ", lines.subList(0, Math.min(3, lines.size()))) + (lines.size() > 3 ? " / ..." : "");
            double s = (System.nanoTime() - t0) / 1e9;
            if (!ended) return String.format("still running after %d s (killed); output: %s", COMMAND_SECONDS, last);
            if (p.exitValue() != 0) return String.format("exit %d after %.1f s; output: %s", p.exitValue(), s, last);
            return null;
        } finally {
            Files.deleteIfExists(out);
        }
    }

}
