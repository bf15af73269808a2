package edgepoll.server;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads every edgepoll class before the loops start. The JVM loads a class on the thread that first
 * needs it, and loading from a jar or a directory reads the class file with read(2) on that thread:
 * without this, a loop's first error path would add reads to its thread that the loop did not make,
 * and the counters would no longer equal what {@code strace -p TID} shows. Cold path, once.
 */
final class ClassPreloader {
    private ClassPreloader() {}

    /**
     * Loads (without initialising) every class found where each anchor class was loaded from, and
     * the management library the loops use when they end (its first use dlopen()s and reads a
     * shared object on the calling thread).
     */
    static void loadAll(Class<?>... anchors) {
        java.lang.management.ManagementFactory.getThreadMXBean();
        for (Class<?> anchor : anchors) {
            ClassLoader loader = anchor.getClassLoader();
            for (String name : classNames(anchor)) {
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    // not loadable here (e.g. a test class on the same path): nothing to preload
                }
            }
        }
    }

    private static List<String> classNames(Class<?> anchor) {
        List<String> names = new ArrayList<>();
        String prefix = anchor.getPackageName().split("\\.")[0] + "/";
        try {
            Path where = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.walk(where)) {
                    files.map(p -> where.relativize(p).toString())
                         .filter(n -> n.startsWith(prefix) && n.endsWith(".class"))
                         .forEach(n -> names.add(toClassName(n)));
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    jar.stream().map(e -> e.getName())
                       .filter(n -> n.startsWith(prefix) && n.endsWith(".class") && !n.contains("module-info"))
                       .forEach(n -> names.add(toClassName(n)));
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // unknown code source: the loops still work; only the strace proof could be disturbed
        }
        return names;
    }

    private static String toClassName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
