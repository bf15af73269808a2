package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.StraceCounts;
import edgepoll.server.testkit.TcpSockets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The counters are exact: the server runs under {@code strace -ff}, a fixed workload runs, and for
 * the loop thread (its tid from --stats-json) strace's count of every syscall the loop makes, and of
 * its EAGAIN results and of its short reads and partial sends, equals the server's own
 * ({@link StraceCounts}; LinkLabTest runs the same proof over a veth link).
 *
 * <p>For {@code --mode uring} strace sees the loop's io_uring_enter calls (and its set-up, tear-down
 * and wake-up syscalls), so it checks the enter count exactly; it cannot see what each enter
 * carried: SQEs submitted, CQEs reaped, CQE results (bytes, ECONNRESET, ENOBUFS) are work the kernel
 * did inside the call or on its own, and the server's figures for them are not checked here (the
 * uring test checks bytes and requests against the client's side instead).
 */
class StraceProofTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "et-short-read", "poll", "uring"})
    void serverCountersEqualStraceForTheLoopThread(String variant) throws Exception {
        if (variant.equals("uring")) edgepoll.server.testkit.UringSupport.assumeAvailable();
        String strace = StraceCounts.assumeUsable("StraceProofTest");

        Path out = tmp.resolve("strace"), stats = tmp.resolve("stats.json"), err = tmp.resolve("stderr.txt");
        List<String> cmd = StraceCounts.command(strace, out);
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
        Map<String, long[]> ours = StraceCounts.ofStatsJson(json);
        Map<String, long[]> traced = StraceCounts.ofThread(out, StraceCounts.loopTid(json));
        if (variant.equals("uring")) {
            System.out.println("uring: strace checks io_uring_enter calls and every other syscall of the loop thread;"
                    + " it cannot check SQEs per enter, CQEs, CQE errors or bytes (no syscall carries them)");
            assertTrue(ours.containsKey("io_uring_enter") && ours.get("io_uring_enter")[0] < 2200 + 50,
                    "fewer enters than requests (2,200) plus set-up and tear-down\n" + ours.keySet());
            assertTrue(json.contains("\"requests\": 2200"), "every request counted");
        } else {
            assertTrue((ours.containsKey("epoll_wait") || ours.containsKey("poll")) && ours.get("read")[0] > 2000, ours.keySet().toString());
            assertTrue(ours.get("read")[2] > 0, "some reads were short (every request is shorter than the buffer)");
        }
        StraceCounts.assertEqualCounts(variant, traced, ours);
    }
}
