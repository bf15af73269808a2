package edgepoll.bench.compare;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The C floor peer (bench/src/main/c/cfloor.c, carried in the jar as {@code /cfloor/cfloor.c}):
 * compiled with {@code gcc -O2} into a scratch directory when a run needs it, never committed as a
 * binary. Its syscalls per request are edgepoll's in each drain policy, so edgepoll's CPU per
 * request over the C peer's of the same policy is the price of the JVM and edgepoll's Java.
 */
public final class CFloor {
    private CFloor() {}

    /** The flags that give the C peer {@code name} its drain policy. */
    static List<String> policyArgs(String name) {
        return switch (Servers.original(name)) {
            case "c-et" -> List.of("--mode", "et", "--drain", "strict");
            case "c-et-short-read" -> List.of("--mode", "et", "--drain", "short-read");
            case "c-lt" -> List.of("--mode", "lt");
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The C peer of the same policy as an edgepoll server ("edgepoll-et" → "c-et"). */
    static String peerOf(String edgepollServer) {
        return "c-" + edgepollServer.substring("edgepoll-".length());
    }

    /**
     * The C peer that makes the same syscalls per keep-alive request as {@code server}, or null: an
     * edgepoll epoll mode's peer of its drain policy; netty-et's is c-et-short-read and netty-lt's
     * c-lt, since Netty's epoll transport reads once per readable event and stops at a short read
     * (the perf table of every report: recvfrom 1.00, sendto 1.00 and a share of epoll_pwait2 per
     * request, against c-et-short-read's read 1.00, sendto 1.00 and its share of epoll_wait).
     */
    static String sameSyscalls(String server) {
        return switch (server) {
            case "edgepoll-et", "edgepoll-et-short-read", "edgepoll-lt" -> peerOf(server);
            case "netty-et" -> "c-et-short-read";
            case "netty-lt" -> "c-lt";
            default -> null;
        };
    }

    /** gcc's path, or null when it is not installed. */
    static String gcc() {
        return Cli.onPath("gcc");
    }

    /**
     * Writes cfloor.c into {@code dir} and compiles it there with {@code gcc -O2}; returns the binary.
     *
     * @throws IOException when gcc is missing or fails (its output in the message)
     */
    public static Path build(Path dir) throws IOException, InterruptedException {
        return compile(dir, "cfloor");
    }

    /**
     * Compiles {@code program}.c of bench/src/main/c (the C floor, or the fixed-rate generator
     * rateload.c, carried in the jar beside it) into {@code dir}; returns the binary.
     */
    static Path compile(Path dir, String program) throws IOException, InterruptedException {
        String gcc = gcc();
        if (gcc == null) throw new IOException("gcc is not installed (apt-get install gcc)");
        Files.createDirectories(dir);
        Path src = dir.resolve(program + ".c");
        try (InputStream in = CFloor.class.getResourceAsStream("/cfloor/" + program + ".c")) {
            if (in == null) throw new IOException(program + ".c is not on the class path (bench/src/main/c, packaged as /cfloor)");
            Files.write(src, in.readAllBytes());
        }
        Path bin = dir.resolve(program);
        Workloads.exec(List.of(gcc, "-O2", "-Wall", "-o", bin.toString(), src.toString(), "-lm"), 120);
        return bin;
    }
}
