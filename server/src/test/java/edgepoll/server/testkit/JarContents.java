package edgepoll.server.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What edgepoll.jar (server/target, or lib/ of the dist tarball) must and must not hold: the server,
 * the launcher and the bindings; not the lab's experiments (package edgepoll.lab, their own module
 * and lab/target/lab.jar), not the server's tests, not JMH (LendingBench is a test source).
 */
public final class JarContents {
    /** Entries every server jar holds. */
    public static final List<String> REQUIRED = List.of("edgepoll/cli/Main.class", "edgepoll/launcher/Launcher.class",
            "edgepoll/server/Server.class", "edgepoll/sys/Syscalls.class");
    /** Prefixes no entry of a server jar may have. */
    public static final List<String> FORBIDDEN = List.of("edgepoll/lab/", "edgepoll/server/testkit/", "edgepoll/loop/LendingBench",
            "edgepoll/loop/jmh_generated/", "org/openjdk/jmh/", "org/junit/");

    private JarContents() {}

    /** The required entries {@code jar} lacks, then its entries under a forbidden prefix; empty when it is right. */
    public static List<String> wrong(Path jar) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            List<String> names = z.stream().map(ZipEntry::getName).toList();
            var missing = REQUIRED.stream().filter(r -> !names.contains(r)).map(r -> "missing " + r);
            var extra = names.stream().filter(n -> FORBIDDEN.stream().anyMatch(n::startsWith)).map(n -> "holds " + n);
            return Stream.concat(missing, extra).toList();
        }
    }
}
