package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The io_uring targets (issue 16) over a report built from given medians: no process is run. A
 * full run's default server list holds both io_uring servers.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TargetsTest {
    private static Compare.Run run(String server, double cpuUs, Map<String, Double> sys) {
        return new Compare.Run(server, "http-c64", 0, new Workloads.Measurement(100_000, 1, 100_000, 500, 900, 0),
                cpuUs, cpuUs / 2, cpuUs / 2, 90, 90, 0, sys, 0, 0);
    }

    /** One repetition's run with its user time given: the user-time targets read nothing else. */
    private static Compare.Run user(String server, int rep, double userUs) {
        return new Compare.Run(server, "http-c64", rep, new Workloads.Measurement(100_000, 1, 100_000, 500, 900, 0),
                userUs + 9, userUs, 9, 90, 90, 0, Map.of("total", 3.0), 0, 0);
    }

    private static List<Report.Target> evaluate(List<Compare.Run> runs) {
        List<Servers.Spec> servers = new ArrayList<>();
        for (Compare.Run r : runs) servers.add(Servers.byName(r.server()));
        Config cfg = new Config(servers, List.of(Workloads.byName("http-c64")), 1, 0, 1, 1, 0, 1, List.of(), List.of(), List.of(),
                null, null, null, null, null, null, null, null, null, false, List.of());
        return Targets.evaluate(new Report(cfg, runs, Map.of(), Map.of(), Map.of(), Map.of()));
    }

    private static Report.Target named(List<Report.Target> ts, String name) {
        for (Report.Target t : ts) if (t.name().equals(name)) return t;
        throw new AssertionError("no target " + name + " in " + ts.stream().map(Report.Target::name).toList());
    }

    @Test
    void uringBelowOneSyscallAndAtMostNettyUringsAndEtsCpu() {
        List<Report.Target> ts = evaluate(List.of(
                run("edgepoll-uring", 8.0, Map.of("io_uring_enter", 0.32, "read", 0.001, "total", 0.321)),
                run("netty-uring", 16.0, Map.of("total", 0.98)),
                run("edgepoll-et", 11.0, Map.of("read", 2.0, "sendto", 1.0, "epoll_wait", 0.2, "total", 3.2))));
        Report.Target floor = named(ts, "edgepoll-uring < 1.0 syscalls per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, floor.met(), floor.toString());
        assertEquals("0.321 (io_uring_enter 0.320, other 0.001)", floor.measured());
        Report.Target netty = named(ts, "edgepoll-uring ≤ 1.00× netty-uring, CPU per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, netty.met(), netty.toString());
        assertTrue(netty.measured().startsWith("0.500×"), netty.measured());
        Report.Target et = named(ts, "edgepoll-uring ≤ 1.00× edgepoll-et, CPU per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, et.met(), et.toString());
    }

    @Test
    void missedTargetsSayByHowMuchAndAbsentServersAreNotRun() {
        List<Report.Target> ts = evaluate(List.of(
                run("edgepoll-uring", 12.0, Map.of("io_uring_enter", 1.1, "total", 1.25)),
                run("edgepoll-et", 10.0, Map.of("total", 3.0))));
        Report.Target floor = named(ts, "edgepoll-uring < 1.0 syscalls per request, keep-alive c=64");
        assertEquals(Boolean.FALSE, floor.met());
        assertEquals("0.250 at or above 1.0", floor.detail());
        Report.Target et = named(ts, "edgepoll-uring ≤ 1.00× edgepoll-et, CPU per request, keep-alive c=64");
        assertEquals(Boolean.FALSE, et.met());
        assertTrue(et.detail().contains("20.0% over the target"), et.detail());
        Report.Target netty = named(ts, "edgepoll-uring ≤ 1.00× netty-uring, CPU per request, keep-alive c=64");
        assertEquals("not run", netty.measured());
        assertEquals(null, netty.met());
    }

    /**
     * Issue 13's user target against Netty is judged on user time above the C peer making the same
     * syscalls (c-et for strict ET, c-et-short-read for Netty), median of the repetitions' differences,
     * with the plain utime ratio in the detail; the per-repetition ratios show their spread.
     */
    @Test
    void userAgainstNettyIsJudgedAboveTheFloorOfTheSameSyscalls() {
        List<Compare.Run> runs = new ArrayList<>();
        double[][] reps = {  // edgepoll-et, c-et, netty-et, c-et-short-read
            {3.4, 2.7, 3.7, 2.3}, {3.2, 2.6, 3.9, 2.4}, {3.5, 2.7, 3.4, 2.2}};
        for (int rep = 0; rep < reps.length; rep++) {
            runs.add(user("edgepoll-et", rep, reps[rep][0]));
            runs.add(user("c-et", rep, reps[rep][1]));
            runs.add(user("netty-et", rep, reps[rep][2]));
            runs.add(user("c-et-short-read", rep, reps[rep][3]));
        }
        Report.Target t = named(evaluate(runs),
                "edgepoll-et ≤ 0.60× netty-et, user CPU per request above the C floor of the same syscalls, keep-alive c=64");
        // above the floor: edgepoll-et 0.7, 0.6, 0.8 (median 0.7); netty-et 1.4, 1.5, 1.2 (median 1.4)
        assertTrue(t.measured().startsWith("0.500× (0.70 vs 1.40 µs/req above c-et and c-et-short-read; repetitions 0.40–0.67×)"),
                t.measured());
        assertEquals(Boolean.TRUE, t.met(), t.toString());
        assertTrue(t.detail().contains("the repetitions straddle the target"), t.detail());
        assertTrue(t.detail().contains("utime alone, each syscall's user-mode charge included: 0.919× (3.40 vs 3.70 µs/req)"), t.detail());

        List<Compare.Run> withoutFloor = runs.stream().filter(r -> !r.server().equals("c-et-short-read")).toList();
        Report.Target none = named(evaluate(withoutFloor),
                "edgepoll-et ≤ 0.60× netty-et, user CPU per request above the C floor of the same syscalls, keep-alive c=64");
        assertEquals("not run", none.measured());
        assertEquals(null, none.met());
    }

    /** A CPU target against Netty also says how the C floor making the same syscalls scores against it. */
    @Test
    void cpuTargetsAgainstNettyShowTheCFloorsOwnRatio() {
        List<Report.Target> ts = evaluate(List.of(
                run("edgepoll-lt", 10.0, Map.of("total", 2.4)),
                run("c-lt", 9.6, Map.of("total", 2.4)),
                run("netty-et", 10.0, Map.of("total", 2.4))));
        Report.Target lt = named(ts, "edgepoll-lt ≤ 0.90× netty-et, CPU per request, keep-alive c=64");
        assertEquals(Boolean.FALSE, lt.met());
        assertTrue(lt.detail().contains("the C floor making the same syscalls, c-lt: 0.960× netty-et (9.60 µs/req)"), lt.detail());
        Report.Target floor = named(ts, "edgepoll-lt ≤ 1.05× c-lt, CPU per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, floor.met());
        assertEquals("", floor.detail(), "no C floor line against the C floor itself");
    }

    @Test
    void theSameSyscallsPeerOfEachServer() {
        assertEquals("c-et", CFloor.sameSyscalls("edgepoll-et"));
        assertEquals("c-lt", CFloor.sameSyscalls("edgepoll-lt"));
        assertEquals("c-et-short-read", CFloor.sameSyscalls("netty-et"));
        assertEquals(null, CFloor.sameSyscalls("edgepoll-uring"));
        assertEquals(null, CFloor.sameSyscalls("nginx"));
    }

    @Test
    void aFullRunsDefaultServerListHoldsBothIoUringServers() {
        List<String> all = List.of(Servers.names().split(","));
        assertTrue(all.contains("edgepoll-uring") && all.contains("netty-uring"), all.toString());
        assertNotNull(Servers.byName("edgepoll-uring-sqpoll"));
        assertTrue(Targets.ALLOC_MODES.contains("edgepoll-uring"));
    }
}
