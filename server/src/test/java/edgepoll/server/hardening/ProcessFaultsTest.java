package edgepoll.server.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.Pace;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.UringSupport;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.TcpSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Faults that need the server in a process of its own: the fd limit, SIGTERM under load, EINTR. */
class ProcessFaultsTest {
    @TempDir
    Path tmp;

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readAllLines(Path.of("/proc/" + pid + "/stat")).get(0);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** fd=target of each open fd of the process, for a failure message. */
    static java.util.Set<String> fdTargets(long pid) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        if (fds == null) return out;
        for (String fd : fds) {
            try {
                out.add(fd + "=" + Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)));
            } catch (IOException gone) {
                out.add(fd + "=(closed)");
            }
        }
        return out;
    }

    static int fdCount(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** The state letter of every thread of {@code pid} (/proc/PID/task/TID/stat): R, S, D, T (stopped), ... */
    static String threadStates(long pid) {
        StringBuilder sb = new StringBuilder();
        String[] tids = new java.io.File("/proc/" + pid + "/task").list();
        for (String tid : tids == null ? new String[0] : tids) {
            try {
                String stat = Files.readAllLines(Path.of("/proc/" + pid + "/task/" + tid + "/stat")).get(0);
                sb.append(stat.charAt(stat.lastIndexOf(')') + 2));
            } catch (IOException gone) {
                // the thread ended meanwhile
            }
        }
        return sb.toString();
    }

    /** The live request count, from the stats endpoint (a connection of its own, not counted as a request). */
    private static long requestsServed(int port) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.send("GET /_edgepoll/stats HTTP/1.1\r\nConnection: close\r\n\r\n");
            return number(c.readResponse(false).bodyText(), "requests");
        }
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key);
        return Long.parseLong(m.group(1));
    }

    /**
     * Case 1 (RELIABILITY #1): the server under RLIMIT_NOFILE 256 meets 400 clients. It must not spin
     * at the limit, must shed what it cannot hold (queued clients get EOF), and must accept again as
     * soon as fds are freed, under ET where the listener's edge would otherwise be lost.
     */
    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "uring"})
    void fdExhaustionNeitherSpinsNorStrandsTheListener(String mode) throws Exception {
        if (mode.equals("uring")) UringSupport.assumeAvailable();  // uring: the multishot accept's EMFILE CQE sheds the same way
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), () -> {
            System.err.println("SKIPPED fd-limit test: prlimit missing (util-linux; .ci/run installs it)");
            return "prlimit missing";
        });
        Path stats = tmp.resolve("s.json"), err = tmp.resolve("err");
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--nofile=256:256"));
        cmd.addAll(ServerProcess.command("--port", "0", "--mode", mode, "--stats-json", stats.toString()));
        Process server = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        List<RawClient> clients = new ArrayList<>();
        try {
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream())).readLine();
            int port = ServerProcess.port(first);
            long pid = server.toHandle().descendants().findFirst().map(ProcessHandle::pid).orElse(server.pid());
            int baseline = FloodAndSoakTest.settledBaseline(port, pid);
            java.util.Set<String> baselineFds = fdTargets(pid);
            for (int i = 0; i < 400; i++) {
                RawClient c = new RawClient(port, 5_000);
                c.send("GET / HTTP/1.1\r\n\r\n");
                clients.add(c);
            }
            // classify every client at once (virtual threads): answered, closed by the server, or hanging
            int[] kinds = new int[clients.size()];  // 0 served, 1 shed, 2 hung
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < clients.size(); i++) {
                    int k = i;
                    pool.submit(() -> {
                        try {
                            kinds[k] = clients.get(k).readResponse(false).status() == 200 ? 0 : 1;
                        } catch (java.net.SocketTimeoutException e) {
                            kinds[k] = 2;  // left in the accept queue: what a naive ET server does at EMFILE
                        } catch (IOException e) {
                            kinds[k] = 1;  // EOF or reset: shed at the limit
                        }
                    });
                }
            }
            int served = 0, shed = 0, hung = 0;
            List<RawClient> holding = new ArrayList<>();
            for (int i = 0; i < kinds.length; i++) {
                if (kinds[i] == 0) {
                    served++;
                    holding.add(clients.get(i));
                } else if (kinds[i] == 1) {
                    shed++;
                } else {
                    hung++;
                }
            }
            long c0 = cpuTicks(pid);
            // Scenario timing: a 2 s window of server CPU measured at the limit (the served clients
            // holding their connections); a spin shows as ticks within it, so its length is the point.
            Pace.hold(2_000, "the CPU measuring window at the fd limit");
            long ticks = cpuTicks(pid) - c0;
            System.out.printf("%s under RLIMIT_NOFILE 256: 400 clients: %d served, %d shed; server CPU at the limit %d ticks in 2 s (%.0f %% of a core)%n",
                    mode, served, shed, ticks, ticks / 2.0);
            assertEquals(0, hung, "no client left hanging in the accept queue");
            assertEquals(400, served + shed, "every client got an answer or a clean close");
            assertTrue(served > 150 && shed > 0, "served up to the limit, shed the rest");
            assertTrue(ticks <= 20, "no spin at the limit: " + ticks + " ticks of 200");
            // free fds, make no new connection for a moment, then 50 fresh clients must be served
            int atLimit = fdCount(pid);
            for (int i = 0; i < 150; i++) holding.get(i).close();  // 150 of the connections the server holds
            // no new connection until the server has closed those 150 (its fds are free again)
            Await.until(20_000, "the server to close 150 connections", () -> fdCount(pid) <= atLimit - 150 ? true : null);
            for (int i = 0; i < 50; i++) {
                long t0 = System.nanoTime();
                try (RawClient fresh = new RawClient(port, 5_000)) {
                    fresh.send("GET / HTTP/1.1\r\n\r\n");
                    assertEquals(200, fresh.readResponse(false).status(), "fresh client " + i + " after fds were freed");
                }
                assertTrue((System.nanoTime() - t0) / 1_000_000 < 1_000, "served within 1 s");
            }
            for (RawClient c : clients) c.close();
            clients.clear();
            assertEquals(baseline, (int) Await.settle(20_000, () -> fdCount(pid), n -> n == baseline),
                    () -> "server fds back to baseline; at baseline " + baselineFds + ", now " + fdTargets(pid));
            server.toHandle().descendants().forEach(ProcessHandle::destroy);
            server.destroy();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
            String errText = Files.readString(err);
            assertTrue(!errText.contains("Exception") && !errText.contains("Error:"), "no stack trace:\n" + errText);
            assertTrue(number(Files.readString(stats), "connections_shed_at_fd_limit") > 0);
        } finally {
            for (RawClient c : clients) c.close();
            server.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
        }
    }

    /** Case 11: SIGTERM during a wrk run: exit 0 within 2 s, complete stats. */
    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "threads"})
    void sigtermUnderLoadExitsZeroWithinTwoSecondsWithCompleteStats(String mode) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/wrk")), () -> {
            System.err.println("SKIPPED shutdown-under-load test: wrk missing (.ci/run installs it)");
            return "wrk missing";
        });
        Path stats = tmp.resolve("s.json");
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), "--port", "0", "--mode", mode, "--stats-json", stats.toString())) {
            int port = ServerProcess.port(sp.firstLine());
            // wrk runs longer than the await below can last (20 s), and is stopped by the test: a
            // fixed-length load racing a bounded await lost that race on a loaded machine (-d4s)
            Process wrk = new ProcessBuilder("wrk", "-t1", "-c64", "-d60s", "http://127.0.0.1:" + port + "/")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long ms;
            try {
                // under load: wrk has its 64 connections up and the server has served well over 1,000 requests
                Await.until(20_000, "wrk's 64 connections and 1,000 requests served", () ->
                        TcpSockets.heldBy(port) >= 64 && requestsServed(port) > 1_000 ? true : null);
                assertTrue(wrk.isAlive(), "wrk still loading when SIGTERM comes");
                long t0 = System.nanoTime();
                sp.process.destroy();  // SIGTERM
                assertTrue(sp.process.waitFor(2, TimeUnit.SECONDS), "exited within 2 s of SIGTERM under load");
                ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(0, sp.process.exitValue());
            } finally {
                wrk.destroy();
                if (!wrk.waitFor(10, TimeUnit.SECONDS)) wrk.destroyForcibly();
            }
            String json = Files.readString(stats);
            assertTrue(json.trim().endsWith("}") && number(json, "requests") > 1000, json.substring(0, Math.min(300, json.length())));
            System.out.printf("%s: SIGTERM under wrk -c64: exit 0 after %d ms, %d requests in the stats%n", mode, ms, number(json, "requests"));
        }
    }

    /** Case 12: signals that interrupt epoll_wait (SIGSTOP/SIGCONT) are retried, never fatal. */
    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "poll"})
    void interruptedWaitsAreRetried(String mode) throws Exception {
        Path stats = tmp.resolve("s.json");
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), "--port", "0", "--mode", mode, "--stats-json", stats.toString())) {
            int port = ServerProcess.port(sp.firstLine());
            long pid = sp.process.pid();
            for (int i = 0; i < 3; i++) {
                new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
                Await.until(10_000, "every server thread stopped (state T)", () -> threadStates(pid).chars().noneMatch(c -> c == 'R' || c == 'S' || c == 'D') ? true : null);
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
                Await.until(10_000, "every server thread running again", () -> threadStates(pid).indexOf('T') < 0 ? true : null);
            }
            try (RawClient c = new RawClient(port)) {
                c.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(false).status(), "still serving after the interruptions");
            }
            assertEquals(0, sp.terminate());
        }
        String json = Files.readString(stats);
        Matcher m = Pattern.compile("\"(epoll_wait|poll)\": \\{\"calls\": \\d+, \"ok\": \\d+, \"eagain\": \\d+, \"eintr\": (\\d+)").matcher(json);
        long eintr = 0;
        while (m.find()) eintr += Long.parseLong(m.group(2));
        System.out.printf("%s: 3 SIGSTOP/SIGCONT pairs: %d interrupted waits (EINTR) counted and retried%n", mode, eintr);
        if (!mode.equals("poll")) {
            // signal(7): after a stop signal and SIGCONT, epoll_wait fails with EINTR even without a
            // handler; poll(2) is not in that list (the kernel restarts it), so poll shows none.
            assertTrue(eintr >= 1, "the stop signals interrupted the wait at least once (signal(7))");
        }
    }
}
