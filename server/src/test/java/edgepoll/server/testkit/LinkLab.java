package edgepoll.server.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A link of its own for a test: {@code scripts/link-lab --hold SECONDS} makes two network namespaces
 * joined by a veth pair and keeps them until its stdin closes ({@link #close}); commands run in
 * either with {@code ip netns exec}. The script is started with {@code setsid}, so it leads a
 * process group of its own that a test can kill as a whole.
 */
public final class LinkLab implements AutoCloseable {
    public static final Path ROOT = Path.of(System.getProperty("edgepoll.root", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("scripts/link-lab");

    public final Process process;
    public final String srvNs, loadNs, srvAddr, loadAddr;
    private final Path stderr;

    private LinkLab(Process p, Map<String, String> ready, Path stderr) {
        this.process = p;
        this.srvNs = ready.get("srv_ns");
        this.loadNs = ready.get("load_ns");
        this.srvAddr = ready.get("srv_addr");
        this.loadAddr = ready.get("load_addr");
        this.stderr = stderr;
    }

    /** Skips the test, printing why, unless this machine can make the link (root, ip, tc, ethtool). */
    public static void assumeAvailable(String test) throws Exception {
        Process p = new ProcessBuilder(SCRIPT.toString(), "--check").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("scripts/link-lab --check did not answer within 20 s");
        }
        if (p.exitValue() != 0) {
            System.err.println("SKIPPED " + test + ": " + out);
            Assumptions.abort(out);
        }
    }

    /** Makes a link (e.g. {@code --mtu 1500 --rate 100mbit}) and waits at most 30 s for it to be ready. */
    public static LinkLab hold(Path stderr, String... knobs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setsid", SCRIPT.toString()));
        cmd.addAll(List.of(knobs));
        cmd.addAll(List.of("--hold", "240"));
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Await.until(30_000, "scripts/link-lab's ready line", () -> out.ready() || !p.isAlive() ? true : null);
        String line = out.ready() ? out.readLine() : null;
        if (line == null || !line.startsWith("ready ")) {
            p.destroyForcibly();
            throw new AssertionError("link-lab not ready: " + line + "; stderr: " + Files.readString(stderr));
        }
        Map<String, String> kv = new HashMap<>();
        for (String part : line.substring(6).split(" ")) kv.put(part.substring(0, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
        return new LinkLab(p, kv, stderr);
    }

    /** {@code ip netns exec NS} followed by {@code cmd}. */
    public static List<String> in(String ns, List<String> cmd) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(cmd);
        return all;
    }

    /** Runs {@code cmd} in namespace {@code ns} to its end (at most {@code seconds}); its stdout, or an AssertionError with both streams. */
    public static String run(String ns, int seconds, String... cmd) throws Exception {
        Path err = Files.createTempFile("linklab-", ".err");
        try {
            Process p = new ProcessBuilder(in(ns, List.of(cmd))).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " took over " + seconds + " s");
            }
            if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out + Files.readString(err));
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** The namespaces whose name starts with {@code prefix} (e.g. "eplab-1234-"), as `ip netns list` has them. */
    public static List<String> namespaces(String prefix) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError("ip netns list took over 10 s");
        return out.lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith(prefix)).toList();
    }

    /** The host namespace's links whose name starts with {@code prefix}. */
    public static List<String> hostLinks(String prefix) throws Exception {
        Process p = new ProcessBuilder("ip", "-o", "link", "show").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError("ip link show took over 10 s");
        return out.lines().map(l -> l.split(": ")[1].split("@")[0]).filter(n -> n.startsWith(prefix)).toList();
    }

    /** "eplab-PID-": the prefix of this run's two namespaces. */
    public String prefix() {
        return srvNs.substring(0, srvNs.length() - "srv".length());
    }

    public String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** Closes the script's stdin: it tears the link down and exits (waits at most 30 s). */
    @Override
    public void close() throws Exception {
        if (!process.isAlive()) return;
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("link-lab did not tear down within 30 s of its stdin closing");
        }
    }
}
