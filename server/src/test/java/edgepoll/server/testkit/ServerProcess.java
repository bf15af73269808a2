package edgepoll.server.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** edgepoll's Main in a child JVM (the same classes as the jar), for exit codes, signals and stdout. */
public final class ServerProcess implements AutoCloseable {
    public final Process process;
    private final BufferedReader stdout;

    private ServerProcess(Process p) {
        this.process = p;
        this.stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    public static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /** The command line, with {@code jvmOptions} (e.g. -XX:NativeMemoryTracking=summary) before the class. */
    public static List<String> command(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(jvmOptions);
        cmd.add("edgepoll.cli.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static ServerProcess start(Path stderr, String... args) throws IOException {
        return start(stderr, List.of(), args);
    }

    public static ServerProcess start(Path stderr, List<String> jvmOptions, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(jvmOptions, args)).redirectError(stderr.toFile());
        return new ServerProcess(pb.start());
    }

    /** The same, with {@code prefix} before the java command (e.g. {@code ip netns exec NS}, strace). */
    public static ServerProcess startUnder(Path stderr, List<String> prefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command(args));
        return new ServerProcess(new ProcessBuilder(cmd).redirectError(stderr.toFile()).start());
    }

    /** The first stdout line (the "listening on" line), waiting at most 20 s for it; null if the process ended first. */
    public String firstLine() throws IOException {
        boolean ready;
        try {
            ready = Await.until(20_000, "the server's first stdout line", () -> stdout.ready() ? Boolean.TRUE : process.isAlive() ? null : Boolean.FALSE);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        return ready || stdout.ready() ? stdout.readLine() : null;
    }

    /** The port in "listening on HOST:PORT ...". */
    public static int port(String listeningLine) {
        String hostPort = listeningLine.split(" ")[2];
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** SIGTERM, then the exit status (within 10 s). */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("server did not exit within 10 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
