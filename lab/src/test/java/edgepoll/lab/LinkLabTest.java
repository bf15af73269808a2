package edgepoll.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.LinkLab;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.StraceCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Off loopback (scripts/link-lab, scripts/lib/linklab.sh): two network namespaces joined by a veth
 * pair with MTU 1500 and a 100 Mbit/s tbf on each direction, the server in one, curl and the load
 * generator in the other. In et, et short-read and lt: 1,000 keep-alive requests on one connection
 * and one 1 MiB response, each mode's own signature checked in the server's counters; in et, the
 * counters equal strace's on the link; the load generator reaches the server by --host; and a run
 * killed with SIGKILL (no trap runs) leaves its namespaces only until the next run or --cleanup,
 * which also ends the processes left inside them. Needs root, ip, tc and ethtool, else skipped
 * with the reason.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LinkLabTest {
    private static final String[] LINK = {"--mtu", "1500", "--rate", "100mbit"};

    @TempDir
    Path tmp;

    @Test
    void etShortReadAndLtServeKeepAliveAndOneMebibyteOverTheLink() throws Exception {
        LinkLab.assumeAvailable("LinkLabTest");
        try (LinkLab link = LinkLab.hold(tmp.resolve("link.err"), LINK)) {
            System.out.println("link: " + link.srvNs + " " + link.srvAddr + " <-> " + link.loadNs + " " + link.loadAddr + ", mtu 1500, 100mbit each way");
            System.out.println("mode            keep-alive: requests reads EAGAIN-reads conn-events | 1 MiB: sends partial EAGAIN-sends EPOLLOUT MOD");
            for (String mode : List.of("et", "et-short-read", "lt")) {
                Map<String, Object> ka = total(serve(link, mode, false, 1000));
                Map<String, Object> big = total(serve(link, mode, true, 1));
                long reads = sys(ka, "read", "calls"), readEagain = sys(ka, "read", "eagain");
                Map<?, ?> waits = (Map<?, ?>) ka.get("epoll_wait");
                long connEvents = num(waits, "events") - num(ka, "listener_events") - num(waits, "idle_writable_events");
                long sends = sys(big, "sendto", "calls"), partial = sys(big, "sendto", "short"), sendEagain = sys(big, "sendto", "eagain");
                long writable = num((Map<?, ?>) big.get("epoll_wait"), "writable_events");
                long mod = sys(big, "epoll_ctl(MOD)", "calls");
                System.out.printf("%-15s %10d %5d %6d %6d | %5d %7d %6d %8d %3d%n", mode, num(ka, "requests"),
                        reads, readEagain, connEvents, sends, partial, sendEagain, writable, mod);
                assertEquals(1000L, num(ka, "requests"), mode);
                // every other read brought one request (curl waits for each answer), or the EOF, or the stop's eventfd count
                assertTrue(reads - readEagain >= 1000 && reads - readEagain <= 1002, mode + ": reads " + reads + ", EAGAIN " + readEagain);
                // strict ET ends the drain of every input event with a read that finds EAGAIN (the EOF's
                // drain and the stop's wake-up excepted); on the link the next request is sometimes there
                // already and that read brings it instead, so there are fewer such reads than requests.
                // Short-read and LT never read to EAGAIN.
                if (mode.equals("et")) assertTrue(readEagain > 0 && readEagain >= connEvents - 3, mode + ": EAGAIN reads " + readEagain + ", events " + connEvents);
                else assertTrue(readEagain < 100, mode + ": no EAGAIN read per request, got " + readEagain);
                // 1 MiB cannot enter the send buffer of a fresh connection at once: a partial send, then EAGAIN
                assertTrue(partial >= 1 && sendEagain >= 1, mode + ": partial " + partial + ", EAGAIN " + sendEagain);
                assertTrue(writable >= 1, mode + ": an EPOLLOUT event resumed the send");
                // each send that met EAGAIN is resumed by exactly one EPOLLOUT event; ET once sent
                // again in the event whose input had just met EAGAIN, and met it twice for one event
                assertEquals(sendEagain, writable, mode + ": EAGAIN sends and the EPOLLOUT events that resumed them");
                // EPOLLOUT under ET is registered once; LT switches to it and back with epoll_ctl(MOD)
                // (a stopping LT loop switches its listener off with one more MOD, not a connection's: docs/many-loops.md)
                if (mode.equals("lt")) assertTrue(mod - 1 >= 2 && (mod - 1) % 2 == 0, "lt: MOD to EPOLLOUT and back, plus the stop's one on the listener, got " + mod);
                else assertEquals(0, mod, mode + ": no epoll_ctl(MOD)");
            }
            countersEqualStraceOnTheLink(link);
            loadReachesTheServerByHost(link);
        }
    }

    /** A server in the link's server namespace; curl in the other makes {@code requests} on one connection; returns the stats JSON. */
    private String serve(LinkLab link, String mode, boolean mebibyte, int requests) throws Exception {
        Path stats = tmp.resolve(mode + (mebibyte ? "-1mib" : "-ka") + ".json");
        List<String> flags = new ArrayList<>(List.of("--bind", link.srvAddr, "--port", "0", "--stats-json", stats.toString()));
        flags.addAll(mode.equals("et-short-read") ? List.of("--mode", "et", "--drain", "short-read") : List.of("--mode", mode));
        if (mebibyte) flags.addAll(List.of("--response-size", "1048576"));
        try (ServerProcess server = ServerProcess.startUnder(tmp.resolve("server.err"), LinkLab.in(link.srvNs, List.of()), flags.toArray(String[]::new))) {
            String first = server.firstLine();
            assertTrue(first != null && first.startsWith("listening on " + link.srvAddr + ":"), first + " " + Files.readString(tmp.resolve("server.err")));
            String out = curl(link, ServerProcess.port(first), requests);
            long ok = out.lines().filter(l -> l.startsWith("200 ")).count();
            long connects = out.lines().mapToLong(l -> Long.parseLong(l.split(" ")[2])).sum();
            assertEquals(requests, ok, mode + ": every response 200\n" + out);
            assertEquals(1, connects, mode + ": one connection for all (keep-alive)");
            if (mebibyte) assertTrue(out.startsWith("200 1048576 "), out);
            assertEquals(0, server.terminate(), "exit status after SIGTERM");
        }
        return Files.readString(stats);
    }

    /** curl from the load namespace: {@code n} GETs of one URL pattern, on one connection; one line per response. */
    private static String curl(LinkLab link, int port, int n) throws Exception {
        String url = "http://" + link.srvAddr + ":" + port + "/" + (n == 1 ? "" : "[1-" + n + "]");
        return LinkLab.run(link.loadNs, 120, "curl", "-s", "--max-time", "100", "-o", "/dev/null",
                "-w", "%{http_code} %{size_download} %{num_connects}\\n", url);
    }

    /**
     * The StraceProofTest on the link, et: 1,000 keep-alive requests (reads, EAGAIN reads, wake-ups),
     * then two 1 MiB responses (partial sends, EAGAIN sends, EPOLLOUT), each server under strace.
     */
    private void countersEqualStraceOnTheLink(LinkLab link) throws Exception {
        String why = StraceCounts.whyNot();
        if (why != null) {
            // "PARTIAL ..." lines are listed in scripts/test's summary: the run passes without this check
            System.err.println("PARTIAL LinkLabTest: counters = strace on the link not checked: " + why);
            return;
        }
        String strace = StraceCounts.path();
        for (int requests : new int[] {1000, 2}) {
            boolean mebibyte = requests == 2;
            Path out = tmp.resolve("strace-" + requests), stats = tmp.resolve("strace-stats-" + requests + ".json");
            Path err = tmp.resolve("strace-server-" + requests + ".err");
            List<String> prefix = LinkLab.in(link.srvNs, StraceCounts.command(strace, out));
            ServerProcess server = ServerProcess.startUnder(err, prefix, "--bind", link.srvAddr, "--port", "0",
                    "--stats-json", stats.toString(), "--response-size", mebibyte ? "1048576" : "13");
            try {
                String first = server.firstLine();
                assertTrue(first != null && first.startsWith("listening on "), first + " " + Files.readString(err));
                String got = curl(link, ServerProcess.port(first), requests);
                assertEquals(requests, got.lines().filter(l -> l.startsWith("200 ")).count(), got);
                server.process.children().forEach(ProcessHandle::destroy);  // SIGTERM to the JVM, strace's child
                assertTrue(server.process.waitFor(30, TimeUnit.SECONDS), "server under strace exits after SIGTERM");
            } finally {
                server.close();
            }
            String json = Files.readString(stats);
            Map<String, long[]> ours = StraceCounts.ofStatsJson(json);
            if (mebibyte) assertTrue(ours.get("sendto")[2] >= 1 && ours.get("sendto")[1] >= 1, "the link made sends partial and EAGAIN");
            else assertTrue(ours.get("read")[0] > 1000, "a read per request at least");
            StraceCounts.assertEqualCounts("et on the link, " + (mebibyte ? "two 1 MiB responses" : "1,000 keep-alive requests"),
                    StraceCounts.ofThread(out, StraceCounts.loopTid(json)), ours);
        }
    }

    /** `scripts/run load --host`: the load generator in one namespace, the server in the other. */
    private void loadReachesTheServerByHost(LinkLab link) throws Exception {
        try (ServerProcess server = ServerProcess.startUnder(tmp.resolve("load-server.err"), LinkLab.in(link.srvNs, List.of()),
                "--bind", link.srvAddr, "--port", "0")) {
            int port = ServerProcess.port(server.firstLine());
            Path json = tmp.resolve("load.json");
            List<String> load = ServerProcess.command("load", "--host", link.srvAddr, "--port", Integer.toString(port),
                    "--connections", "4", "--duration", "1s", "--warmup", "200ms", "--quiet", "--json", json.toString());
            LinkLab.run(link.loadNs, 60, load.toArray(String[]::new));
            Map<?, ?> r = (Map<?, ?>) Json.parse(Files.readString(json));
            System.out.println("load --host " + link.srvAddr + ": " + r.get("requests") + " requests, errors " + r.get("errors"));
            assertTrue(((Number) r.get("requests")).longValue() > 100, r.toString());
            assertEquals(0L, ((Number) ((Map<?, ?>) r.get("errors")).get("total")).longValue(), r.toString());
            assertEquals(0, server.terminate());
        }
    }

    /**
     * "Killed mid-run" as a test can make it: run A holds a link with a server running inside it,
     * and A's whole process group gets SIGKILL (no trap runs); its namespaces and the server stay.
     * The next run, B, removes them and ends that server as it starts. B, stopped by SIGINT (or
     * SIGTERM where this JVM was started with SIGINT ignored, which no shell can trap), tears its
     * own link down. C, SIGKILLed alone, is cleaned by {@code scripts/link-lab --cleanup}. Nothing
     * is left: no namespace of A, B or C, no veth in the host's namespace.
     */
    @Test
    void nothingIsLeftBehindWhenARunIsKilled() throws Exception {
        LinkLab.assumeAvailable("LinkLabTest");
        LinkLab a = LinkLab.hold(tmp.resolve("a.err"), LINK);
        ServerProcess orphan = ServerProcess.startUnder(tmp.resolve("orphan.err"), LinkLab.in(a.srvNs, List.of()), "--bind", a.srvAddr, "--port", "0");
        assertTrue(orphan.firstLine().startsWith("listening on "));
        kill("-KILL", "-" + a.process.pid());  // the process group: setsid made the script its leader
        assertTrue(a.process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(List.of(a.prefix() + "load", a.prefix() + "srv"), LinkLab.namespaces(a.prefix()).stream().sorted().toList(),
                "SIGKILL ran no trap: A's namespaces are still there");
        assertTrue(orphan.process.isAlive(), "and the server inside A's namespace still runs");

        LinkLab b = LinkLab.hold(tmp.resolve("b.err"), LINK);
        assertEquals(List.of(), LinkLab.namespaces(a.prefix()), "B removed A's namespaces as it started");
        assertTrue(orphan.process.waitFor(15, TimeUnit.SECONDS), "B ended the server left inside A's namespace");
        assertTrue(b.stderr().contains("removing stale namespace " + a.srvNs), b.stderr());
        boolean sigintIgnored = sigintIgnored();
        kill(sigintIgnored ? "-TERM" : "-INT", Long.toString(b.process.pid()));
        assertTrue(b.process.waitFor(30, TimeUnit.SECONDS), "B exits on " + (sigintIgnored ? "SIGTERM" : "SIGINT"));
        assertEquals(List.of(), LinkLab.namespaces(b.prefix()), "B's trap removed its namespaces");
        System.out.println("killed mid-run: A by SIGKILL to its group, cleaned by B; B by " + (sigintIgnored ? "SIGTERM (SIGINT is ignored in this JVM)" : "SIGINT")
                + ", cleaned by its trap");

        LinkLab c = LinkLab.hold(tmp.resolve("c.err"), LINK);
        c.process.destroyForcibly();
        assertTrue(c.process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(2, LinkLab.namespaces(c.prefix()).size(), "SIGKILL left C's namespaces");
        Process cleanup = new ProcessBuilder(LinkLab.ROOT.resolve("scripts/link-lab").toString(), "--cleanup").redirectErrorStream(true).start();
        String said = new String(cleanup.getInputStream().readAllBytes());
        assertTrue(cleanup.waitFor(30, TimeUnit.SECONDS) && cleanup.exitValue() == 0, said);
        assertEquals(List.of(), LinkLab.namespaces(c.prefix()), "--cleanup removed C's namespaces: " + said);
        for (LinkLab run : List.of(a, b, c)) {
            assertEquals(List.of(), LinkLab.namespaces(run.prefix()), run.prefix());
            String dev = run.prefix().replace("-", "");
            Await.until(10_000, "no veth of " + dev + " in the host's namespace", () -> LinkLab.hostLinks(dev).isEmpty() ? true : null);
        }
    }

    private static void kill(String signal, String target) throws Exception {
        Process k = new ProcessBuilder("kill", signal, "--", target).redirectErrorStream(true).start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill " + signal + " " + target);
    }

    /** Whether SIGINT (signal 2) is ignored in this JVM, and so in every child it starts (/proc/self/status SigIgn). */
    private static boolean sigintIgnored() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("SigIgn:")) return (Long.parseLong(l.substring(7).strip(), 16) & 2) != 0;
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> total(String statsJson) {
        return (Map<String, Object>) ((Map<String, Object>) Json.parse(statsJson)).get("total");
    }

    private static long num(Map<?, ?> map, String key) {
        return ((Number) map.get(key)).longValue();
    }

    private static long sys(Map<String, Object> total, String name, String key) {
        return ((Number) ((Map<?, ?>) ((Map<?, ?>) total.get("syscalls")).get(name)).get(key)).longValue();
    }
}
