package edgepoll.server.testkit;

import static org.junit.jupiter.api.Assertions.assertNull;

import edgepoll.config.Options;
import edgepoll.server.Server;
import edgepoll.stats.Stats;
import edgepoll.sys.testkit.FdCount;
import java.util.ArrayList;
import java.util.List;

/**
 * A server started in-process on 127.0.0.1 and a free port, for one test. {@link #stop()} stops
 * it within a bounded time, asserts no loop failed, and asserts the process has exactly the fds it
 * had before the server started (nothing leaked).
 */
public final class ServerHandle implements AutoCloseable {
    private final Server server;
    private final java.util.Map<Integer, String> fdsBefore;
    private Stats stats;

    static {
        // Observed: the first java.net client connection in a JVM leaves one socket fd open for good
        // (JDK-internal, not in /proc/net/tcp). Make that happen before any fd baseline is taken.
        try (var ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             var c = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), ss.getLocalPort());
             var a = ss.accept()) {
            c.setTcpNoDelay(true);
            c.setSoLinger(true, 0);
            c.setReceiveBufferSize(8192);
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ServerHandle(Server server, java.util.Map<Integer, String> fdsBefore) {
        this.server = server;
        this.fdsBefore = fdsBefore;
    }

    /**
     * Starts a server. {@code variant} is a --mode or et-short-read (see Variants); {@code flags} are more
     * command-line flags (e.g. "--protocol", "echo").
     */
    public static ServerHandle start(String variant, String... flags) throws Exception {
        if (variant.equals("uring")) UringSupport.assumeAvailable();
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        switch (variant) {
            case "et-short-read" -> args.addAll(List.of("--mode", "et", "--drain", "short-read"));
            default -> args.addAll(List.of("--mode", variant));
        }
        args.addAll(List.of(flags));
        var before = FdCount.describe();
        return new ServerHandle(Server.start(Options.parse(args.toArray(String[]::new))), before);
    }

    public int port() {
        return server.port();
    }

    public Server server() {
        return server;
    }

    /** Stops the server, checks it failed nowhere and leaked no fd; returns its final stats. */
    public Stats stop() throws Exception {
        if (stats == null) {
            stats = server.stop();
            server.close();
            for (Stats.Loop l : stats.loops()) {
                assertNull(l.failure(), () -> "loop " + l.index() + " failed: " + l.failure());
            }
            var after = FdCount.describe();
            var added = new java.util.TreeMap<>(after);
            added.keySet().removeAll(fdsBefore.keySet());
            if (!added.isEmpty()) {
                // Only fds opened and not closed count as a leak: fds that disappeared belong to
                // something else in this JVM (a finished child process's pipes, closed by its reaper).
                throw new AssertionError("fds opened while the server ran are still open (leak check): " + added
                        + socketDetails(added.values()));
            }
        }
        return stats;
    }

    /** The /proc/net/tcp{,6} lines of leaked sockets: their ports tell server side from client side. */
    private static String socketDetails(java.util.Collection<String> targets) {
        StringBuilder sb = new StringBuilder();
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6", "/proc/net/unix", "/proc/net/netlink"}) {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(file))) {
                    for (String t : targets) {
                        if (t.startsWith("socket:[") && line.contains(" " + t.substring(8, t.length() - 1) + " ")) {
                            sb.append("\n  ").append(file).append(": ").append(line.strip());
                        }
                    }
                }
            } catch (java.io.IOException e) {
                sb.append("\n  (").append(file).append(" unreadable)");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
