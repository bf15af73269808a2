package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.TcpSockets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The counters are exact: the server runs under {@code strace -f}, a fixed workload runs, and for
 * the loop thread (its tid from --stats-json) strace's count of every syscall the loop makes, and of
 * its EAGAIN results, equals the server's own.
 *
 * <p>For {@code --mode uring} strace sees the loop's io_uring_enter calls (and its set-up, tear-down
 * and wake-up syscalls), so it checks the enter count exactly; it cannot see what each enter
 * carried: SQEs submitted, CQEs reaped, CQE results (bytes, ECONNRESET, ENOBUFS) are work the kernel
 * did inside the call or on its own, and the server's figures for them are not checked here (the
 * uring test checks bytes and requests against the client's side instead).
 */
class StraceProofTest {
    private static final String TRACED = "epoll_create1,epoll_wait,epoll_pwait,epoll_ctl,poll,ppoll,accept4,read,sendto,shutdown,setsockopt,close,eventfd2,io_uring_setup,io_uring_enter,io_uring_register";
    /** "1234 read(8, ..." or "1234 <... epoll_wait resumed>..." ; "<unfinished ...>" lines carry no result and are skipped. */
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\s+(?:<\\.\\.\\. (\\w+) resumed>|(\\w+)\\()(.*)$");
    private static final Pattern RESULT = Pattern.compile("= (-?\\d+)(?: (E[A-Z]+))?");

    @TempDir
    Path tmp;

    private static String strace() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "strace"))) return Path.of(dir, "strace").toString();
        }
        return null;
    }

    private static void skip(String reason) {
        System.err.println("SKIPPED StraceProofTest: " + reason);
        Assumptions.abort(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "et-short-read", "poll", "uring"})
    void serverCountersEqualStraceForTheLoopThread(String variant) throws Exception {
        if (variant.equals("uring")) edgepoll.server.testkit.UringSupport.assumeAvailable();
        String strace = strace();
        if (strace == null) skip("strace is not installed (.ci/run installs it)");
        Process probe = new ProcessBuilder(strace, "-f", "-qq", "-e", "trace=none", "true").redirectErrorStream(true).start();
        String probeOut = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!probe.waitFor(20, TimeUnit.SECONDS) || probe.exitValue() != 0) skip("ptrace is not permitted here: " + probeOut.strip());

        Path out = tmp.resolve("strace.txt"), stats = tmp.resolve("stats.json"), err = tmp.resolve("stderr.txt");
        List<String> cmd = new ArrayList<>(List.of(strace, "-f", "-qq", "-o", out.toString(), "-e", "trace=" + TRACED));
        cmd.addAll(ServerProcess.command("--port", "0", "--stats-json", stats.toString()));
        switch (variant) {
            case "lt", "poll", "uring" -> cmd.addAll(List.of("--mode", variant));
            case "et-short-read" -> cmd.addAll(List.of("--drain", "short-read"));
            default -> { }
        }
        Process server = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        try {
            var stdout = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = stdout.readLine();
            assertTrue(first != null && first.startsWith("listening on "), "first line " + first + "; stderr: " + Files.readString(err));
            int port = ServerProcess.port(first);
            // The fixed workload: 2,000 keep-alive requests on 8 connections, then 200 pipelined in one write.
            List<RawClient> cs = new ArrayList<>();
            for (int i = 0; i < 8; i++) cs.add(new RawClient(port));
            for (int r = 0; r < 250; r++) {
                for (RawClient c : cs) c.send("GET / HTTP/1.1\r\n\r\n");
                for (RawClient c : cs) assertEquals(200, c.readResponse(false).status());
            }
            RawClient p = cs.get(0);
            p.send("GET / HTTP/1.1\r\n\r\n".repeat(200));
            for (int i = 0; i < 200; i++) assertEquals(200, p.readResponse(false).status());
            for (RawClient c : cs) c.close();
            // the server closed all 8 before SIGTERM (the kernel's view: it is a child process)
            Await.until(20_000, "the server to close the 8 connections", () -> TcpSockets.heldBy(port) == 0 ? true : null);
            // SIGTERM to the JVM itself (strace's child); strace exits when its tracee has.
            server.children().forEach(ProcessHandle::destroy);
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "server under strace exits after SIGTERM");
        } finally {
            server.destroyForcibly();
        }
        String json = Files.readString(stats);
        Matcher tidM = Pattern.compile("\"loop\": 0, \"tid\": (\\d+)").matcher(json);
        assertTrue(tidM.find(), json);
        String tid = tidM.group(1);

        Map<String, long[]> strace2 = new TreeMap<>();  // name -> {calls, eagain}
        for (String line : Files.readAllLines(out)) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !m.group(1).equals(tid) || line.contains("<unfinished ...>")) continue;
            String name = m.group(2) != null ? m.group(2) : m.group(3);
            Matcher r = RESULT.matcher(m.group(4));
            String errno = null;
            while (r.find()) errno = r.group(2);  // the last "= ..." on the line is the result
            long[] c = strace2.computeIfAbsent(name, k -> new long[2]);
            c[0]++;
            if ("EAGAIN".equals(errno)) c[1]++;
        }
        // epoll_wait may reach the kernel as epoll_pwait with another libc: count both as epoll_wait.
        long[] pwait = strace2.remove("epoll_pwait");
        if (pwait != null) {
            long[] w = strace2.computeIfAbsent("epoll_wait", k -> new long[2]);
            w[0] += pwait[0];
            w[1] += pwait[1];
        }
        long[] ppoll = strace2.remove("ppoll");  // poll(2) may reach the kernel as ppoll
        if (ppoll != null) {
            long[] w = strace2.computeIfAbsent("poll", k -> new long[2]);
            w[0] += ppoll[0];
            w[1] += ppoll[1];
        }
        Map<String, long[]> ours = new TreeMap<>();
        Matcher sys = Pattern.compile("\"([a-z_0-9]+)(?:\\((?:ADD|MOD|DEL)\\))?\": \\{\"calls\": (\\d+), \"ok\": \\d+, \"eagain\": (\\d+)")
                .matcher(json.substring(json.indexOf("\"loops\": [")));
        while (sys.find()) {
            long[] c = ours.computeIfAbsent(sys.group(1), k -> new long[2]);
            c[0] += Long.parseLong(sys.group(2));
            c[1] += Long.parseLong(sys.group(3));
        }
        ours.values().removeIf(c -> c[0] == 0);
        StringBuilder table = new StringBuilder(variant + ": syscall  strace(calls/EAGAIN)  edgepoll(calls/EAGAIN)\n");
        for (String k : new java.util.TreeSet<>(concat(ours.keySet(), strace2.keySet()))) {
            long[] a = strace2.getOrDefault(k, new long[2]), b = ours.getOrDefault(k, new long[2]);
            table.append(String.format("  %-14s %8d/%-8d %8d/%-8d%n", k, a[0], a[1], b[0], b[1]));
        }
        System.out.print(table);
        if (variant.equals("uring")) {
            System.out.println("uring: strace checks io_uring_enter calls and every other syscall of the loop thread;"
                    + " it cannot check SQEs per enter, CQEs, CQE errors or bytes (no syscall carries them)");
            assertTrue(ours.containsKey("io_uring_enter") && ours.get("io_uring_enter")[0] < 2200 + 50,
                    "fewer enters than requests (2,200) plus set-up and tear-down\n" + table);
            assertTrue(json.contains("\"requests\": 2200"), "every request counted");
        } else {
            assertTrue((ours.containsKey("epoll_wait") || ours.containsKey("poll")) && ours.get("read")[0] > 2000, table.toString());
        }
        for (String k : concat(ours.keySet(), strace2.keySet())) {
            long[] a = strace2.getOrDefault(k, new long[2]), b = ours.getOrDefault(k, new long[2]);
            assertEquals(a[0], b[0], k + " calls differ\n" + table);
            assertEquals(a[1], b[1], k + " EAGAIN differ\n" + table);
        }
    }

    private static List<String> concat(java.util.Collection<String> a, java.util.Collection<String> b) {
        List<String> all = new ArrayList<>(a);
        for (String s : b) if (!all.contains(s)) all.add(s);
        return all;
    }
}
