package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one comparison run, and the writing of its report.md ({@link ReportMarkdown}),
 * results.json ({@link ReportJson}) and charts ({@link Charts}). Every figure is the median of the
 * repetitions, with min–max beside req/s; ratios compare medians of the same run only.
 */
final class Report {
    final Config cfg;
    final List<Compare.Run> runs;
    final Map<String, Map<String, Long>> strace;
    final Map<String, Long> straceRequests;
    final Map<String, Map<String, Long>> perf;
    final Map<String, Long> perfRequests;
    final Map<String, Map<String, Agg>> agg = new LinkedHashMap<>();  // workload -> server -> figures

    /** The medians of one server under one workload. */
    record Agg(double rps, double rpsMin, double rpsMax, double p50us, double p99us, double cpuUs, double userUs,
               double kernelUs, double serverCpuPct,
               double loadCpuPct, double syscalls, double alloc, long errors, Map<String, Double> sysBreakdown, double runtimeUs) {}

    Report(Config cfg, List<Compare.Run> runs, Map<String, Map<String, Long>> strace, Map<String, Long> straceRequests,
           Map<String, Map<String, Long>> perf, Map<String, Long> perfRequests) {
        this.cfg = cfg;
        this.runs = runs;
        this.strace = strace;
        this.straceRequests = straceRequests;
        this.perf = perf;
        this.perfRequests = perfRequests;
        for (Workloads.Workload w : cfg.workloads()) {
            Map<String, Agg> byServer = new LinkedHashMap<>();
            for (Servers.Spec s : cfg.servers()) {
                List<Compare.Run> rs = runs.stream().filter(r -> r.server().equals(s.name()) && r.workload().equals(w.name())).toList();
                if (rs.isEmpty()) continue;
                Compare.Run mid = rs.stream().sorted((a, b) -> Double.compare(a.m().rps(), b.m().rps())).toList().get(rs.size() / 2);
                byServer.put(s.name(), new Agg(median(rs, r -> r.m().rps()), min(rs, r -> r.m().rps()), max(rs, r -> r.m().rps()),
                        median(rs, r -> r.m().p50us()), median(rs, r -> r.m().p99us()), median(rs, Compare.Run::cpuUsPerRequest),
                        median(rs, Compare.Run::userUsPerRequest), median(rs, Compare.Run::kernelUsPerRequest),
                        median(rs, Compare.Run::serverCpuPercent), median(rs, Compare.Run::loadCpuPercent),
                        median(rs, r -> r.syscallsPerRequest().getOrDefault("total", Double.NaN)),
                        median(rs, Compare.Run::allocBytesPerRequest), rs.stream().mapToLong(r -> r.m().errors()).sum(),
                        mid.syscallsPerRequest(), median(rs, Compare.Run::runtimeUsPerRequest)));
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

    /**
     * {@code server}'s figure over {@code peer}'s within each repetition (two windows at most minutes
     * apart, not the whole run apart), min and max over the repetitions both ran; null with fewer than two.
     * A median ratio near a target decides nothing when these straddle it.
     */
    double[] repRatios(String workload, String server, String peer, ToDoubleFunction<Compare.Run> f) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (Compare.Run a : runs) {
            if (a.rep() < 0 || !a.workload().equals(workload) || !a.server().equals(server)) continue;
            for (Compare.Run b : runs) {
                if (b.rep() != a.rep() || !b.workload().equals(workload) || !b.server().equals(peer)) continue;
                double r = f.applyAsDouble(a) / f.applyAsDouble(b);
                if (Double.isNaN(r) || Double.isInfinite(r)) continue;
                lo = Math.min(lo, r);
                hi = Math.max(hi, r);
                n++;
            }
        }
        return n < 2 ? null : new double[] {lo, hi};
    }

    /**
     * {@code server}'s user µs per request minus that of the C peer making the same syscalls
     * ({@link CFloor#sameSyscalls}), within each repetition both ran, by repetition; empty when either
     * did not run. On this VM every syscall brings user time of its own: a timer interrupt that arrives
     * while the kernel runs with interrupts off is taken on the way back to user mode and its tick
     * counted as user time (a getppid(2) loop shows 40–50% of its CPU as user, docs/performance.md). A C
     * server making the same syscalls has that charge and little else, so the difference is the user
     * time of the server's own code and runtime.
     */
    Map<Integer, Double> userAboveFloor(String workload, String server) {
        String floor = CFloor.sameSyscalls(server);
        Map<Integer, Double> out = new TreeMap<>();
        if (floor == null) return out;
        for (Compare.Run a : runs) {
            if (a.rep() < 0 || !a.workload().equals(workload) || !a.server().equals(server)) continue;
            for (Compare.Run b : runs) {
                if (b.rep() == a.rep() && b.workload().equals(workload) && b.server().equals(floor)) {
                    double d = a.userUsPerRequest() - b.userUsPerRequest();
                    if (!Double.isNaN(d)) out.put(a.rep(), d);
                }
            }
        }
        return out;
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

    void write() throws IOException {
        List<Target> targets = Targets.evaluate(this);
        if (!perf.isEmpty()) {
            Charts.write(cfg, agg, perf, perfRequests, "perf stat on the syscall tracepoints");
        } else {
            Charts.write(cfg, agg, strace, straceRequests, "strace -c -f");
        }
        Files.writeString(cfg.out().resolve("report.md"), new ReportMarkdown(this).render(targets));
        Files.writeString(cfg.out().resolve("results.json"), new ReportJson(this).render(targets));
    }

    /** What a --quick report says above every figure. */
    static final String QUICK = "Figures are indicative (quick run: single short samples).";

    /** A target of the benchmarks issue: what was asked, what was measured, met or missed by how much. */
    record Target(String name, String asked, String measured, Boolean met, String detail) {}

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
