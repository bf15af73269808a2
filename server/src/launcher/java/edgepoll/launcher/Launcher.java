package edgepoll.launcher;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * edgepoll.jar's Main-Class, compiled for Java 8 so that any java from 8 on can load it: on a Java
 * older than 22 (no FFM API) it prints one line and exits 1 instead of an UnsupportedClassVersionError
 * trace; otherwise it calls the main method of the class the jar's manifest names in
 * {@code Edgepoll-Main-Class} (set from the edgepoll.main.class property in server/pom.xml).
 * Uses nothing newer than Java 8.
 */
public final class Launcher {
    static final int NEEDED = 22;
    static final String ATTRIBUTE = "Edgepoll-Main-Class";

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        int feature = feature(System.getProperty("java.specification.version", "0"));
        if (feature < NEEDED) {
            System.err.println("edgepoll: needs Java " + NEEDED + " or newer (the FFM API); this is Java "
                    + System.getProperty("java.version") + " at " + System.getProperty("java.home")
                    + ": run the jar with a newer java, or use the edgepoll-*-linux-x86_64.tar.gz build, which bundles one");
            System.exit(1);
        }
        String target = mainClass();
        if (target == null) {
            System.err.println("edgepoll: the jar's manifest has no " + ATTRIBUTE + " attribute (a broken build)");
            System.exit(1);
        }
        Method main = Class.forName(target).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();  // the real main's own exception, as if it had been called directly
        }
    }

    /** "1.8" -> 8, "17" -> 17, "25" -> 25. */
    static int feature(String spec) {
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
        return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
    }

    /** The Edgepoll-Main-Class attribute of the jar this class was loaded from, or null. */
    private static String mainClass() throws Exception {
        URL where = Launcher.class.getProtectionDomain().getCodeSource().getLocation();
        File file = new File(where.toURI());
        if (!file.isFile()) return null;
        try (JarFile jar = new JarFile(file)) {
            return jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue(ATTRIBUTE);
        }
    }
}
