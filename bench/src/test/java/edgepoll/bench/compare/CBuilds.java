package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' build of a C program of bench/src/main/c (the C floor, the fixed-rate generator): into a
 * scratch directory of its own, deleted with everything in it after the class; null, with the reason
 * printed, when gcc is missing, so the tests that need it skip saying why.
 */
final class CBuilds {
    private CBuilds() {}

    /** {@code program} built for {@code testClass}, or null without gcc (the reason printed). */
    static Path buildOrSay(String program, String testClass) throws IOException, InterruptedException {
        if (CFloor.gcc() == null) {
            System.err.println(testClass + ": skipped, gcc is not installed (apt-get install gcc; .ci/run installs it)");
            return null;
        }
        return CFloor.compile(Files.createTempDirectory(program + "-test"), program);
    }

    /** Deletes a binary of {@link #buildOrSay}, its source beside it, and their directory. */
    static void delete(Path bin) throws IOException {
        if (bin == null) return;
        Files.deleteIfExists(bin.resolveSibling(bin.getFileName() + ".c"));
        Files.deleteIfExists(bin);
        Files.deleteIfExists(bin.getParent());
    }
}
