package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The targets over a report built from given windows: no process is run. Each server's windows come in
 * {@value #BLOCKS} blocks; a block's drift (up to ±10%) falls on every server of the block, and each window
 * adds 0.5% of its own noise, so the paired ratios have a known answer and a narrow interval. A full
 * run's default server list holds both io_uring servers and the A/A twins.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TargetsTest {
    static final int BLOCKS = 8;

    private static double drift(int block) {
        return 1 + 0.1 * Math.sin(block * 2.1);
    }

    private static double noise(String server, int block) {
        return 1 + 0.005 * new SplittableRandom((server + block).hashCode()).nextDouble(-1, 1);
    }

    private static Compare.Run run(String server, int block, double cpuUs, double userUs, Map<String, Double> sys, String dropped) {
        double k = drift(block) * noise(server, block);
        return new Compare.Run(server, "http-c64", block, new Workloads.Measurement(100_000, 1, 100_000, 500, 900, 0),
                cpuUs * k, userUs * k, (cpuUs - userUs) * k, 90, 90, 0, sys, 0, 0, 0, 0, dropped);
    }

    /** {@code server}'s windows in {@code blocks} blocks at {@code cpuUs} (half of it user time). */
    private static List<Compare.Run> windows(String server, double cpuUs, Map<String, Double> sys, int blocks) {
        List<Compare.Run> rs = new ArrayList<>();
        for (int b = 0; b < blocks; b++) rs.add(run(server, b, cpuUs, cpuUs / 2, sys, null));
        return rs;
    }

    private static List<Compare.Run> windows(String server, double cpuUs, Map<String, Double> sys) {
        return windows(server, cpuUs, sys, BLOCKS);
    }

    @SafeVarargs
    private static List<Compare.Run> all(List<Compare.Run>... lists) {
        List<Compare.Run> all = new ArrayList<>();
        for (List<Compare.Run> l : lists) all.addAll(l);
        return all;
    }

    private static Report report(List<Compare.Run> runs) {
        List<Servers.Spec> servers = new ArrayList<>();
        for (Compare.Run r : runs) if (!servers.contains(Servers.byName(r.server()))) servers.add(Servers.byName(r.server()));
        Config cfg = new Config(servers, List.of(Workloads.byName("http-c64")), BLOCKS, 0, 1, 1, 0, 1, List.of(),
                new LoadSide(List.of(), LoadSide.LOOPBACK), List.of(), null, null, null, null, null, null, null, null, null, false, false, 1, 1, false,
                List.of());
        return new Report(cfg, runs, Map.of(), Map.of(), Map.of(), Map.of(), 0);
    }

    private static List<Report.Target> evaluate(List<Compare.Run> runs) {
        return Targets.evaluate(report(runs));
    }

    private static Report.Target named(List<Report.Target> ts, String name) {
        for (Report.Target t : ts) if (t.name().equals(name)) return t;
        throw new AssertionError("no target " + name + " in " + ts.stream().map(Report.Target::name).toList());
    }

    @Test
    void uringBelowOneSyscallAndAtMostNettyUringsAndEtsCpu() {
        List<Report.Target> ts = evaluate(all(
                windows("edgepoll-uring", 8.0, Map.of("io_uring_enter", 0.32, "read", 0.001, "total", 0.321)),
                windows("netty-uring", 16.0, Map.of("total", 0.98)),
                windows("edgepoll-et", 11.0, Map.of("read", 2.0, "sendto", 1.0, "epoll_wait", 0.2, "total", 3.2))));
        Report.Target floor = named(ts, "edgepoll-uring < 1.0 syscalls per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, floor.met(), floor.toString());
        assertEquals("0.321 (io_uring_enter 0.320, other 0.001)", floor.measured());
        Report.Target netty = named(ts, "edgepoll-uring ≤ 1.00× netty-uring, CPU per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, netty.met(), netty.toString());
        assertTrue(netty.measured().startsWith("0.500× [0.49") && netty.measured().contains(", 8 blocks"), netty.measured());
        assertEquals("cheaper", netty.verdict());
        Report.Target et = named(ts, "edgepoll-uring ≤ 1.00× edgepoll-et, CPU per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, et.met(), et.toString());
    }

    @Test
    void missedTargetsSayByHowMuchAndAbsentServersAreNotRun() {
        List<Report.Target> ts = evaluate(all(
                windows("edgepoll-uring", 12.0, Map.of("io_uring_enter", 1.1, "total", 1.25)),
                windows("edgepoll-et", 10.0, Map.of("total", 3.0))));
        Report.Target floor = named(ts, "edgepoll-uring < 1.0 syscalls per request, keep-alive c=64");
        assertEquals(Boolean.FALSE, floor.met());
        assertEquals("0.250 at or above 1.0", floor.detail());
        Report.Target et = named(ts, "edgepoll-uring ≤ 1.00× edgepoll-et, CPU per request, keep-alive c=64");
        assertEquals(Boolean.FALSE, et.met());
        assertEquals("dearer", et.verdict());
        assertTrue(et.detail().matches("upper bound 20\\.\\d% over the target"), et.detail());
        Report.Target netty = named(ts, "edgepoll-uring ≤ 1.00× netty-uring, CPU per request, keep-alive c=64");
        assertEquals("not run", netty.measured());
        assertEquals(null, netty.met());
    }

    /** Fewer paired blocks than an interval needs: the figures, and no verdict. */
    @Test
    void tooFewBlocksGiveNoVerdict() {
        List<Report.Target> ts = evaluate(all(windows("edgepoll-et", 10.0, Map.of(), 3), windows("c-et", 9.0, Map.of(), 3)));
        Report.Target t = named(ts, "edgepoll-et ≤ 1.05× c-et, CPU per request, keep-alive c=64");
        assertEquals(null, t.met());
        assertEquals("too few blocks (3 < 5)", t.verdict());
    }

    /**
     * Issue 13's user target against Netty is judged on user time above the C peer making the same
     * syscalls (c-et for strict ET, c-et-short-read for Netty): the blocks' mean differences, with the
     * plain utime ratio in the detail.
     */
    @Test
    void userAgainstNettyIsJudgedAboveTheFloorOfTheSameSyscalls() {
        List<Compare.Run> runs = new ArrayList<>();
        double[][] blocks = {  // edgepoll-et, c-et, netty-et, c-et-short-read: above the floor 0.7 vs 1.4 on average
            {3.4, 2.7, 3.7, 2.3}, {3.2, 2.6, 3.9, 2.4}, {3.5, 2.7, 3.5, 2.2}, {3.4, 2.7, 3.7, 2.3}, {3.2, 2.6, 3.9, 2.4}, {3.5, 2.7, 3.5, 2.2}};
        String[] names = {"edgepoll-et", "c-et", "netty-et", "c-et-short-read"};
        for (int b = 0; b < blocks.length; b++) {
            for (int i = 0; i < names.length; i++) {
                runs.add(new Compare.Run(names[i], "http-c64", b, new Workloads.Measurement(100_000, 1, 100_000, 500, 900, 0),
                        blocks[b][i] + 9, blocks[b][i], 9, 90, 90, 0, Map.of("total", 3.0), 0, 0, 0, 0, null));
            }
        }
        Report.Target t = named(evaluate(runs),
                "edgepoll-et ≤ 0.60× netty-et, user CPU per request above the C floor of the same syscalls, keep-alive c=64");
        assertTrue(t.measured().startsWith("0.500× [") && t.measured().contains("6 blocks (medians 0.70 vs 1.40 µs/req above c-et and c-et-short-read)"),
                t.measured());
        assertEquals(Boolean.TRUE, t.met(), t.toString());
        assertEquals("cheaper", t.verdict());
        assertTrue(t.detail().contains("utime alone, each syscall's user-mode charge included: 0.9"), t.detail());

        List<Compare.Run> withoutFloor = runs.stream().filter(r -> !r.server().equals("c-et-short-read")).toList();
        Report.Target none = named(evaluate(withoutFloor),
                "edgepoll-et ≤ 0.60× netty-et, user CPU per request above the C floor of the same syscalls, keep-alive c=64");
        assertEquals("not run", none.measured());
        assertEquals(null, none.met());
    }

    /** A CPU target against Netty also says how the C floor making the same syscalls scores against it. */
    @Test
    void cpuTargetsAgainstNettyShowTheCFloorsOwnRatio() {
        List<Report.Target> ts = evaluate(all(
                windows("edgepoll-lt", 10.0, Map.of("total", 2.4)),
                windows("c-lt", 9.6, Map.of("total", 2.4)),
                windows("netty-et", 10.0, Map.of("total", 2.4))));
        Report.Target lt = named(ts, "edgepoll-lt ≤ 1.00× netty-et, CPU per request, keep-alive c=64");
        assertEquals(Boolean.FALSE, lt.met(), "an interval around 1.00 has its upper bound over 1.00: " + lt);
        assertTrue(lt.verdict().startsWith("no detectable difference"), lt.verdict());
        assertTrue(lt.detail().contains("the interval straddles the target"), lt.detail());
        assertTrue(lt.detail().contains("the C floor making the same syscalls, c-lt: 0.96"), lt.detail());
        Report.Target floor = named(ts, "edgepoll-lt ≤ 1.05× c-lt, CPU per request, keep-alive c=64");
        assertEquals(Boolean.TRUE, floor.met(), floor.toString());
        assertEquals("", floor.detail(), "no C floor line against the C floor itself");
    }

    /** The A/A twins: a twin within noise of its original passes; one planted 10% dearer marks the run untrustworthy. */
    @Test
    void anAaPairOutsideItsIntervalMarksTheRunUntrustworthy() {
        Report ok = report(all(windows("edgepoll-et", 10.0, Map.of()), windows("edgepoll-et-bis", 10.0, Map.of())));
        assertEquals(1, ok.calibrations().size());
        assertTrue(ok.calibrations().get(0).ci().contains(1.0), ok.calibrations().toString());
        assertTrue(ok.untrustworthy().isEmpty(), ok.untrustworthy().toString());
        Report bad = report(all(windows("c-et", 10.0, Map.of()), windows("c-et-bis", 11.0, Map.of())));
        assertEquals(1, bad.untrustworthy().size(), bad.untrustworthy().toString());
        assertTrue(bad.untrustworthy().get(0).startsWith("c-et-bis vs c-et (keep-alive c=64, CPU per request): 1.1"), bad.untrustworthy().get(0));
    }

    /** A dropped window counts nowhere but in the count of dropped windows: its block leaves that server's comparisons. */
    @Test
    void droppedWindowsLeaveTheirBlockOut() {
        List<Compare.Run> runs = all(windows("edgepoll-et", 10.0, Map.of()), windows("c-et", 10.0, Map.of()));
        runs.set(0, run("edgepoll-et", 0, 50.0, 25.0, Map.of(), "other processes took 40.0% of the server CPU > 10%"));
        Report r = report(runs);
        assertEquals(1, r.dropped.size());
        assertEquals(7, r.get("http-c64", "edgepoll-et").windows());
        assertEquals(1, r.get("http-c64", "edgepoll-et").droppedWindows());
        Stats.Interval ci = r.ratio("http-c64", "edgepoll-et", "c-et", Figure.CPU);
        assertEquals(7, ci.n());
        assertTrue(ci.contains(1.0), ci.toString());
    }

    /** repeat.md: the same verdict in both runs agrees; a verdict that flips is counted and named. */
    @Test
    void theRepeatTableSaysWhichVerdictsAgree() {
        Report one = report(all(windows("edgepoll-et", 10.0, Map.of()), windows("c-et", 9.0, Map.of()),
                windows("edgepoll-lt", 9.0, Map.of()), windows("c-lt", 9.0, Map.of())));
        Report two = report(all(windows("edgepoll-et", 10.0, Map.of()), windows("c-et", 9.0, Map.of()),
                windows("edgepoll-lt", 10.0, Map.of()), windows("c-lt", 9.0, Map.of())));
        String md = Repeat.render(one.cfg, List.of(one, two), 125);
        assertTrue(md.contains("they took 2:05 in all"), md);
        String et = md.lines().filter(l -> l.startsWith("| edgepoll-et ≤ 1.05× c-et, CPU per request, keep-alive c=64 |")).findFirst().orElseThrow();
        assertTrue(et.endsWith(" dearer | yes |"), et);
        String lt = md.lines().filter(l -> l.startsWith("| edgepoll-lt ≤ 1.05× c-lt, CPU per request, keep-alive c=64 |")).findFirst().orElseThrow();
        assertTrue(lt.contains("no detectable difference") && lt.endsWith(" dearer | **no** |"), lt);
        String etLt = md.lines().filter(l -> l.startsWith("| edgepoll-et vs edgepoll-lt, CPU per request, keep-alive c=64 |")).findFirst().orElseThrow();
        assertTrue(etLt.contains("| 1.11") && etLt.endsWith("**no** |"), etLt);
        assertTrue(md.contains("verdicts agree across the runs.**") && md.contains("Flipped: "), md);
        assertEquals("no detectable difference", Repeat.verdictClass("no detectable difference (within ±1.2%)"));
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
        assertTrue(all.contains("edgepoll-et-bis") && all.contains("c-et-bis"), "the A/A twins run in every run: " + all);
        assertTrue(Cli.TARGET_SERVERS.stream().allMatch(all::contains), Cli.TARGET_SERVERS.toString());
        assertEquals("c-et", Servers.original("c-et-bis"));
        assertEquals(CFloor.policyArgs("c-et"), CFloor.policyArgs("c-et-bis"));
    }
}
