package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one comparison run, and the writing of its report.md ({@link ReportMarkdown}),
 * results.json ({@link ReportJson}) and charts ({@link Charts}). The table figures are medians of the
 * kept windows (req/s with min–max); every ratio is paired block by block and carries a 95% bootstrap
 * interval over the blocks ({@link Stats}) and a verdict. Windows {@link WindowRule} dropped count in
 * nothing but the count of dropped windows.
 */
final class Report {
    final Config cfg;
    final List<Compare.Run> runs;  // the kept windows
    final List<Compare.Run> dropped;
    final Map<String, Map<String, Long>> strace;
    final Map<String, Long> straceRequests;
    final Map<String, Map<String, Long>> perf;
    final Map<String, Long> perfRequests;
    final double elapsedS;
    final Map<String, Map<String, Agg>> agg = new LinkedHashMap<>();  // workload -> server -> figures

    /** The medians of one server's kept windows under one workload, and how many windows were kept and dropped. */
    record Agg(double rps, double rpsMin, double rpsMax, double p50us, double p99us, double cpuUs, double userUs,
               double kernelUs, double serverCpuPct,
               double loadCpuPct, double syscalls, double alloc, long errors, Map<String, Double> sysBreakdown, double runtimeUs,
               int windows, int droppedWindows) {}

    Report(Config cfg, List<Compare.Run> all, Map<String, Map<String, Long>> strace, Map<String, Long> straceRequests,
           Map<String, Map<String, Long>> perf, Map<String, Long> perfRequests, double elapsedS) {
        this.cfg = cfg;
        this.runs = all.stream().filter(r -> r.block() >= 0 && (r.kept() || cfg.keepDisturbed())).toList();
        this.dropped = all.stream().filter(r -> r.block() >= 0 && !r.kept() && !cfg.keepDisturbed()).toList();
        this.strace = strace;
        this.straceRequests = straceRequests;
        this.perf = perf;
        this.perfRequests = perfRequests;
        this.elapsedS = elapsedS;
        for (Workloads.Workload w : cfg.workloads()) {
            Map<String, Agg> byServer = new LinkedHashMap<>();
            for (Servers.Spec s : cfg.servers()) {
                List<Compare.Run> rs = runs.stream().filter(r -> r.server().equals(s.name()) && r.workload().equals(w.name())).toList();
                if (rs.isEmpty()) continue;
                long drops = dropped.stream().filter(r -> r.server().equals(s.name()) && r.workload().equals(w.name())).count();
                Compare.Run mid = rs.stream().sorted((a, b) -> Double.compare(a.m().rps(), b.m().rps())).toList().get(rs.size() / 2);
                byServer.put(s.name(), new Agg(median(rs, r -> r.m().rps()), min(rs, r -> r.m().rps()), max(rs, r -> r.m().rps()),
                        median(rs, r -> r.m().p50us()), median(rs, r -> r.m().p99us()), median(rs, Compare.Run::cpuUsPerRequest),
                        median(rs, Compare.Run::userUsPerRequest), median(rs, Compare.Run::kernelUsPerRequest),
                        median(rs, Compare.Run::serverCpuPercent), median(rs, Compare.Run::loadCpuPercent),
                        median(rs, r -> r.syscallsPerRequest().getOrDefault("total", Double.NaN)),
                        median(rs, Compare.Run::allocBytesPerRequest), rs.stream().mapToLong(r -> r.m().errors()).sum(),
                        mid.syscallsPerRequest(), median(rs, Compare.Run::runtimeUsPerRequest), rs.size(), (int) drops));
            }
            agg.put(w.name(), byServer);
        }
    }

    static double median(List<Compare.Run> rs, ToDoubleFunction<Compare.Run> f) {
        return median(rs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).boxed().toList());
    }

    private static double min(List<Compare.Run> rs, ToDoubleFunction<Compare.Run> f) {
        return rs.stream().mapToDouble(f).min().orElse(Double.NaN);
    }

    private static double max(List<Compare.Run> rs, ToDoubleFunction<Compare.Run> f) {
        return rs.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    /** {@code server}'s kept window of each block under {@code workload}, by block. */
    private Map<Integer, Compare.Run> byBlock(String workload, String server) {
        Map<Integer, Compare.Run> m = new TreeMap<>();
        for (Compare.Run r : runs) if (r.workload().equals(workload) && r.server().equals(server)) m.put(r.block(), r);
        return m;
    }

    /**
     * {@code server}'s figure over {@code peer}'s, paired block by block (the two windows are neighbours
     * in one block), over the blocks where both windows were kept and both figures are positive: the
     * geometric mean of the per-block ratios and its 95% interval.
     */
    Stats.Interval ratio(String workload, String server, String peer, Figure figure) {
        ToDoubleFunction<Compare.Run> f = figure.perRun;
        Map<Integer, Compare.Run> a = byBlock(workload, server), b = byBlock(workload, peer);
        List<double[]> pairs = new ArrayList<>();
        for (Map.Entry<Integer, Compare.Run> e : a.entrySet()) {
            Compare.Run p = b.get(e.getKey());
            if (p == null) continue;
            double x = f.applyAsDouble(e.getValue()), y = f.applyAsDouble(p);
            if (x > 0 && y > 0 && !Double.isInfinite(x) && !Double.isInfinite(y)) pairs.add(new double[] {x, y});
        }
        double[] x = pairs.stream().mapToDouble(p -> p[0]).toArray(), y = pairs.stream().mapToDouble(p -> p[1]).toArray();
        return Stats.pairedRatio(x, y, Stats.seed(workload, server, peer, figure.name()));
    }

    /**
     * {@code server}'s user µs per request minus that of the C peer making the same syscalls
     * ({@link CFloor#sameSyscalls}), within each block where both windows were kept, by block; empty when
     * either did not run. On this VM every syscall brings user time of its own: a timer interrupt that arrives
     * while the kernel runs with interrupts off is taken on the way back to user mode and its tick
     * counted as user time (a getppid(2) loop shows 40–50% of its CPU as user, docs/performance.md). A C
     * server making the same syscalls has that charge and little else, so the difference is the user
     * time of the server's own code and runtime.
     */
    Map<Integer, Double> userAboveFloor(String workload, String server) {
        String floor = CFloor.sameSyscalls(server);
        Map<Integer, Double> out = new TreeMap<>();
        if (floor == null) return out;
        Map<Integer, Compare.Run> a = byBlock(workload, server), b = byBlock(workload, floor);
        for (Map.Entry<Integer, Compare.Run> e : a.entrySet()) {
            Compare.Run f = b.get(e.getKey());
            if (f == null) continue;
            double d = e.getValue().userUsPerRequest() - f.userUsPerRequest();
            if (!Double.isNaN(d)) out.put(e.getKey(), d);
        }
        return out;
    }

    /** mean over the blocks of {@code server}'s user time above its floor over the same of {@code peer}, with its interval. */
    Stats.Interval aboveFloorRatio(String workload, String server, String peer) {
        Map<Integer, Double> mine = userAboveFloor(workload, server), theirs = userAboveFloor(workload, peer);
        List<double[]> pairs = new ArrayList<>();
        for (Map.Entry<Integer, Double> e : mine.entrySet()) {
            Double d = theirs.get(e.getKey());
            if (d != null) pairs.add(new double[] {e.getValue(), d});
        }
        return Stats.ratioOfMeans(pairs.stream().mapToDouble(p -> p[0]).toArray(), pairs.stream().mapToDouble(p -> p[1]).toArray(),
                Stats.seed(workload, server, peer, "user-above-floor"));
    }

    /** The mean of {@code server}'s figure over its kept windows, with its 95% interval: the charts' bars and whiskers. */
    Stats.Interval mean(String workload, String server, Figure figure) {
        double[] x = byBlock(workload, server).values().stream().mapToDouble(figure.perRun).filter(v -> !Double.isNaN(v)).toArray();
        return Stats.mean(x, Stats.seed(workload, server, figure.name(), "mean"));
    }

    /**
     * {@code server}'s figure minus {@code peer}'s, block by block, over the blocks where both were
     * kept: the mean difference and its 95% interval (what one costs over the other, in µs per request).
     */
    Stats.Interval difference(String workload, String server, String peer, Figure figure) {
        Map<Integer, Compare.Run> a = byBlock(workload, server), b = byBlock(workload, peer);
        double[] d = a.entrySet().stream().filter(e -> b.containsKey(e.getKey()))
                .mapToDouble(e -> figure.perRun.applyAsDouble(e.getValue()) - figure.perRun.applyAsDouble(b.get(e.getKey())))
                .filter(v -> !Double.isNaN(v)).toArray();
        return Stats.mean(d, Stats.seed(workload, server, peer, figure.name(), "difference"));
    }

    /** One of the ET-vs-LT answers: a ratio of CPU per request with its interval, and the same as a difference in µs. */
    record Answer(String workload, String server, String peer, Stats.Interval ratio, Stats.Interval differenceUs) {
        String name() {
            return String.format(Locale.ROOT, "%s vs %s, CPU per request, %s", server, peer, Workloads.byName(workload).label());
        }
    }

    /** What strict ET and ET short-read cost per request over LT, in edgepoll and in the C floor, at every workload both ran. */
    List<Answer> etVsLt() {
        List<Answer> out = new ArrayList<>();
        for (Workloads.Workload w : cfg.workloads()) {
            for (String family : List.of("edgepoll-", "c-")) {
                for (String et : List.of("et", "et-short-read")) {
                    String a = family + et, b = family + "lt";
                    if (get(w.name(), a) == null || get(w.name(), b) == null) continue;
                    out.add(new Answer(w.name(), a, b, ratio(w.name(), a, b, Figure.CPU), difference(w.name(), a, b, Figure.CPU)));
                }
            }
        }
        return out;
    }

    /** An A/A pair: a twin and its original, under one workload, CPU per request. */
    record Calibration(String workload, String twin, String original, Stats.Interval ci) {}

    /** Every A/A pair of the run: each {@code -bis} twin against its original under each workload both ran. */
    List<Calibration> calibrations() {
        List<Calibration> out = new ArrayList<>();
        for (Workloads.Workload w : cfg.workloads()) {
            for (String twin : agg.getOrDefault(w.name(), Map.of()).keySet()) {
                String original = Servers.original(twin);
                if (original.equals(twin) || get(w.name(), original) == null) continue;
                out.add(new Calibration(w.name(), twin, original, ratio(w.name(), twin, original, Figure.CPU)));
            }
        }
        return out;
    }

    /** Why this run is untrustworthy: each A/A interval with enough blocks that excludes 1.00; empty when none does. */
    List<String> untrustworthy() {
        List<String> why = new ArrayList<>();
        for (Calibration c : calibrations()) {
            if (Stats.Verdict.of(c.ci()) == Stats.Verdict.LOWER || Stats.Verdict.of(c.ci()) == Stats.Verdict.HIGHER) {
                why.add(String.format(Locale.ROOT, "%s vs %s (%s, CPU per request): %s excludes 1.00: the same server measured %s "
                        + "itself, so every interval of this run is narrower than the harness's real error", c.twin(), c.original(),
                        Workloads.byName(c.workload()).label(), c.ci().text(), c.ci().hi() < 1 ? "cheaper than" : "dearer than"));
            }
        }
        return why;
    }

    static double median(Collection<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    Agg get(String workload, String server) {
        Map<String, Agg> m = agg.get(workload);
        return m == null ? null : m.get(server);
    }

    /** The targets, evaluated once: {@link Repeat} compares them between runs. */
    List<Target> targets() {
        if (targets == null) targets = Targets.evaluate(this);
        return targets;
    }

    private List<Target> targets;

    void write() throws IOException {
        List<Target> targets = targets();
        Files.writeString(cfg.out().resolve("results.json"), new ReportJson(this).render(targets));
        Files.writeString(cfg.out().resolve("report.md"), new ReportMarkdown(this).render(targets));
        if (!perf.isEmpty()) {
            Charts.write(this, perf, perfRequests, "perf stat on the syscall tracepoints");
        } else {
            Charts.write(this, strace, straceRequests, "strace -c -f");
        }
    }

    /** What a --quick report says above every figure. */
    static final String QUICK = "Figures are indicative (quick run: " + Cli.QUICK_BLOCKS + " blocks, so every interval is far wider "
            + "than a full run's and none gives a verdict).";

    /**
     * A target of the benchmarks issues: what was asked, what was measured (with its interval), the
     * verdict in words (empty for a target that is not a ratio), met or missed by how much.
     */
    record Target(String name, String asked, String measured, String verdict, Boolean met, String detail) {
        Target(String name, String asked, String measured, Boolean met, String detail) {
            this(name, asked, measured, "", met, detail);
        }
    }

    static String f0(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String f1(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v + 0.0 == 0 || Math.abs(v) < 0.05 ? 0.0 : v);
    }

    static String f2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }
}
