package edgepoll.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An edgepoll server process in another network namespace ({@code ip netns exec NS}, which execs the
 * JVM itself, so this Process is the server), bound to that namespace's end of a link, writing
 * {@code --stats-json} when stopped. For the lab's link runs (scripts/lib/linklab.sh makes the
 * namespaces; this process runs in the other one, the load's). Same classes as this JVM's.
 */
final class NetnsServer implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private NetnsServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts the server and waits (at most 20 s) for its "listening on" line. */
    static NetnsServer start(String netns, String bind, List<String> flags) throws Exception {
        Path dir = Files.createTempDirectory("edgepoll-netns-");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "edgepoll.cli.Main",
                "--bind", bind, "--port", "0", "--stats-json", dir.resolve("stats.json").toString()));
        cmd.addAll(flags);
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }, Thread::startVirtualThread);
        String line;
        try {
            line = first.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            line = null;
        }
        if (line == null || !line.startsWith("listening on ")) {
            p.destroyForcibly();
            throw new IllegalStateException("server in " + netns + " did not listen: " + line + "; stderr: "
                    + Files.readString(dir.resolve("stderr.txt")).strip());
        }
        String hostPort = line.split(" ")[2];
        return new NetnsServer(p, dir, Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, then the stats JSON it wrote (within 30 s). */
    String stop() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("server did not exit within 30 s of SIGTERM");
        return Files.readString(dir.resolve("stats.json"));
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
    }
}
