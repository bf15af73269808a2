package edgepoll.sys;

/**
 * The one platform edgepoll's generated bindings describe: Linux on x86_64.
 *
 * <p>jextract emits the layouts of the machine it ran on. On x86_64 {@code struct epoll_event} is
 * {@code __attribute__((packed))} and 12 bytes long; on aarch64 it is 16. Running these bindings
 * anywhere else would read events at the wrong offsets, so the process refuses to start instead.
 */
public final class Platform {
    private Platform() {}

    /** {@code null} when this JVM runs on Linux x86_64, else the one-line reason it cannot. */
    public static String unsupportedReason() {
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        if (os.equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            return null;
        }
        return "edgepoll: runs only on Linux x86_64 (its jextract bindings use that ABI), not on "
                + os + " " + arch;
    }

    /** Throws {@link UnsupportedOperationException} with the one-line reason off Linux x86_64. */
    public static void check() {
        String reason = unsupportedReason();
        if (reason != null) {
            throw new UnsupportedOperationException(reason);
        }
    }
}
