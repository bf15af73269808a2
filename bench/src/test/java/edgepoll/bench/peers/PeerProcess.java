package edgepoll.bench.peers;

import edgepoll.server.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer server in a child JVM, started as the harness starts it (a {@code java -cp} line with the
 * test class path standing in for benchmarks.jar), optionally under a wrapper such as strace.
 */
final class PeerProcess implements AutoCloseable {
    /** The peers as the tests name them: {@code netty-et}, {@code netty-lt}, {@code nio}. */
    static final List<String> VARIANTS = List.of("netty-et", "netty-lt", "nio");

    final Process process;
    final int port;
    private final Path stderr;

    private PeerProcess(Process process, int port, Path stderr) {
        this.process = process;
        this.port = port;
        this.stderr = stderr;
    }

    /** The java command line for {@code variant} plus {@code args}. */
    static List<String> command(String variant, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        switch (variant) {
            case "netty-et" -> cmd.addAll(List.of(NettyServer.class.getName(), "--mode", "et"));
            case "netty-lt" -> cmd.addAll(List.of(NettyServer.class.getName(), "--mode", "lt"));
            case "nio" -> cmd.add(NioServer.class.getName());
            default -> throw new IllegalArgumentException(variant);
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts {@code wrapper + command(variant, args)} and waits (20 s at most) for its listening line. */
    static PeerProcess start(Path dir, List<String> wrapper, String variant, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(command(variant, args));
        Path err = Files.createTempFile(dir, variant, ".stderr");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            Await.until(20_000, variant + "'s listening line", () -> out.ready() || !p.isAlive() ? true : null);
        } catch (Throwable e) {  // the wait's timeout (an AssertionError), an interrupt
            p.destroyForcibly();
            throw new IOException(variant + " printed no listening line; stderr: " + Files.readString(err), e);
        }
        if (!out.ready()) {
            p.destroyForcibly();
            throw new IOException(variant + " exited without a listening line; stderr: " + Files.readString(err));
        }
        String first = out.readLine();
        if (first == null || !first.matches("listening on 127\\.0\\.0\\.1:\\d+")) {
            p.destroyForcibly();
            throw new IOException(variant + " first line: " + first + "; stderr: " + Files.readString(err));
        }
        return new PeerProcess(p, Integer.parseInt(first.substring(first.lastIndexOf(':') + 1)), err);
    }

    static PeerProcess start(Path dir, String variant, String... args) throws IOException {
        return start(dir, List.of(), variant, args);
    }

    /**
     * SIGTERM to the JVM (to the wrapper's child when wrapped), then its exit status, within 20 s.
     * A wrapper such as strace exits once its child has.
     */
    int terminate() throws InterruptedException, IOException {
        List<ProcessHandle> children = process.children().toList();
        if (children.isEmpty()) process.destroy();
        else children.forEach(ProcessHandle::destroy);
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            close();
            throw new AssertionError("peer did not exit within 20 s of SIGTERM; stderr: " + Files.readString(stderr));
        }
        return process.exitValue();
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
