package edgepoll.bench.compare;

import static edgepoll.bench.compare.Report.QUICK;
import static edgepoll.bench.compare.Report.f1;
import static edgepoll.bench.compare.Report.f2;
import static edgepoll.bench.compare.Report.median;

import edgepoll.bench.compare.Report.Agg;
import edgepoll.bench.compare.Report.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sections of report.md that decide: the A/A calibration, the windows kept and dropped, the
 * targets with their intervals and verdicts, ET vs LT, and the noise behind the intervals' width.
 * {@link ReportMarkdown} places them in the page.
 */
final class ReportVerdicts {
    private final Config cfg;
    private final List<Compare.Run> runs;
    private final Map<String, Map<String, Agg>> agg;
    private final Report report;

    ReportVerdicts(Report r) {
        this.report = r;
        this.cfg = r.cfg;
        this.runs = r.runs;
        this.agg = r.agg;
    }

    void calibration(StringBuilder b) {
        List<Report.Calibration> cs = report.calibrations();
        b.append("## A/A calibration (read this first)\n\n");
        if (cs.isEmpty()) {
            boolean ran = cfg.servers().stream().anyMatch(s -> s.name().endsWith(Servers.TWIN));
            b.append(ran ? "The A/A twins ran, but no block kept both a twin's window and its original's"
                    : "No A/A pair ran (edgepoll-et-bis, c-et-bis: second copies of edgepoll-et and c-et)")
                    .append(": **this run is not calibrated**, its intervals unchecked.\n\n");
            return;
        }
        b.append("The same server started twice under two names, measured like any other pair: CPU per request, twin over "
                + "original. Each 95% interval must contain 1.00; with k such intervals, about 1 − 0.95^k of honest runs "
                + String.format(Locale.ROOT, "still see one miss by chance (%d here: %.0f%%).%n%n", cs.size(), 100 * (1 - Math.pow(0.95, cs.size()))));
        b.append("| pair | workload | ratio [95% interval] | blocks | contains 1.00 |\n|---|---|---|---|---|\n");
        for (Report.Calibration c : cs) {
            Stats.Verdict v = Stats.Verdict.of(c.ci());
            b.append(String.format(Locale.ROOT, "| %s / %s | %s | %s | %d | %s |%n", c.twin(), c.original(), Workloads.byName(c.workload()).label(),
                    c.ci().text(), c.ci().n(), v == Stats.Verdict.TOO_FEW ? "too few blocks" : v == Stats.Verdict.SAME ? "yes" : "**no**"));
        }
        List<String> why = report.untrustworthy();
        b.append('\n').append(why.isEmpty()
                ? (cs.stream().allMatch(c -> Stats.Verdict.of(c.ci()) == Stats.Verdict.TOO_FEW)
                        ? "Too few blocks to calibrate: this run's intervals are indicative only.\n\n"
                        : "Every A/A interval contains 1.00: the run passes its calibration.\n\n")
                : "**This run is untrustworthy**: " + String.join("; ", why) + ".\n\n");
    }

    /** The question people bring: what ET costs over LT, per request, as intervals. */
    void etVsLt(StringBuilder b) {
        List<Report.Answer> as = report.etVsLt();
        if (as.isEmpty()) return;
        b.append("## ET vs LT\n\nCPU per request, each ET form over LT of the same server, paired by block: the ratio and the "
                + "difference in µs per request, each with its 95% interval.\n\n");
        b.append("| comparison | ratio [95% interval] | difference µs/req [95% interval] | verdict |\n|---|---|---|---|\n");
        for (Report.Answer a : as) {
            Stats.Interval d = a.differenceUs();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s [%s, %s] | %s |%n", a.name(), a.ratio().text(), f2(d.estimate()), f2(d.lo()), f2(d.hi()),
                    Figure.CPU.verdict(a.ratio())));
        }
        b.append('\n');
    }

    /** How many windows were measured and how many the pre-registered rule dropped, and why. */
    void windows(StringBuilder b) {
        int all = runs.size() + report.dropped.size();
        b.append(String.format(Locale.ROOT, "## Windows%n%n%d windows measured in %d blocks; %d dropped by the rule fixed before the run "
                + "(%s).", all, cfg.blocks(), report.dropped.size(), WindowRule.describe()));
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        for (Compare.Run r : report.dropped) reasons.merge(r.dropped().contains("steal") ? "host steal" : "other processes on the server CPU", 1, Integer::sum);
        if (!reasons.isEmpty()) b.append(" Dropped for: ").append(reasons.toString().replaceAll("[{}]", "").replace("=", ": ")).append('.');
        long disturbed = runs.stream().filter(r -> !r.kept()).count();
        if (cfg.keepDisturbed()) {
            b.append(String.format(Locale.ROOT, " **--keep-disturbed: %d of them met the rule and were kept anyway**; every interval "
                    + "below includes those disturbed windows (a smoke run on a shared machine, not a result).", disturbed));
        }
        long late = runs.stream().filter(r -> r.m().errors() > 0).count();
        if (late > 0) b.append(String.format(Locale.ROOT, " %d kept windows had load errors (fixed rate: over 1%% of requests late), flagged in results.json, not dropped.", late));
        b.append("\n\n");
    }

    void targets(StringBuilder b, List<Target> targets) {
        if (cfg.quick()) {
            b.append("## Targets (indicative: no verdicts)\n\n").append(QUICK).append(" Verdicts come from a full run "
                    + "(`scripts/bench-compare`, or `--targets-only --repeat 2` for the targets alone).\n\n");
        } else {
            b.append("## Targets\n\n");
        }
        b.append("| target | asked | measured: ratio [95% interval] | verdict | met |\n|---|---|---|---|---|\n");
        for (Target t : targets) {
            b.append("| ").append(t.name()).append(" | ").append(t.asked()).append(" | ").append(t.measured()).append(" | ")
                    .append(t.verdict().isEmpty() ? "–" : t.verdict()).append(" | ")
                    .append(t.met() == null ? "n/a" : t.met() ? "**met**" : "**missed**").append(t.detail().isEmpty() ? "" : " — " + t.detail()).append(" |\n");
        }
        b.append('\n');
    }

    /**
     * Where the spread came from, measured: the window-to-window spread of one server's CPU per request
     * (coefficient of variation over its kept windows), against the spread of the paired per-block ratios
     * (standard deviation of their logarithm): how much of the drift pairing neighbours removed; and the
     * neighbours' share of each window (host steal, other processes on the server CPU).
     */
    void noise(StringBuilder b) {
        b.append("## Noise\n\n| workload | one server's CPU/req, window to window (CV, median over servers) "
                + "| paired ratio, block to block (SD of log ratio, median over the targets' pairs) | host steal, median / max % "
                + "| other processes on the server CPU, median / max % |\n|---|---|---|---|---|\n");
        for (Workloads.Workload w : cfg.workloads()) {
            Map<String, Agg> m = agg.getOrDefault(w.name(), Map.of());
            if (runs.stream().noneMatch(r -> r.workload().equals(w.name())) && report.dropped.stream().noneMatch(r -> r.workload().equals(w.name()))) continue;
            List<Double> cvs = new ArrayList<>(), sds = new ArrayList<>();
            for (String server : m.keySet()) {
                double[] x = runs.stream().filter(r -> r.workload().equals(w.name()) && r.server().equals(server))
                        .mapToDouble(Compare.Run::cpuUsPerRequest).toArray();
                if (x.length > 1) cvs.add(sd(x) / Arrays.stream(x).average().orElse(Double.NaN));
            }
            for (String[] c : Targets.cpuComparisons(w.name())) {
                double[] l = logRatios(w.name(), c[0], c[1]);
                if (l.length > 1) sds.add(sd(l));
            }
            List<Compare.Run> all = new ArrayList<>(runs.stream().filter(r -> r.workload().equals(w.name())).toList());
            all.addAll(report.dropped.stream().filter(r -> r.workload().equals(w.name())).toList());
            double[] steal = all.stream().mapToDouble(r -> Math.max(r.stealServerPct(), r.stealLoadPct())).filter(v -> !Double.isNaN(v)).toArray();
            double[] other = all.stream().mapToDouble(Compare.Run::otherOnServerCpuPercent).filter(v -> !Double.isNaN(v)).toArray();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s / %s | %s / %s |%n", w.label(), pct(median(cvs)), pct(median(sds)),
                    f1(median(Arrays.stream(steal).boxed().toList())), f1(Arrays.stream(steal).max().orElse(Double.NaN)),
                    f1(median(Arrays.stream(other).boxed().toList())), f1(Arrays.stream(other).max().orElse(Double.NaN))));
        }
        b.append("\nWith a paired spread s over n blocks the 95% interval's half-width is about 2·s/√n: pairing helps exactly as "
                + "much as the paired column is under the single-server one.\n\n");
    }

    private double[] logRatios(String workload, String a, String p) {
        Map<Integer, Double> x = new java.util.TreeMap<>(), y = new java.util.TreeMap<>();
        for (Compare.Run r : runs) {
            if (!r.workload().equals(workload)) continue;
            if (r.server().equals(a)) x.put(r.block(), r.cpuUsPerRequest());
            if (r.server().equals(p)) y.put(r.block(), r.cpuUsPerRequest());
        }
        return x.entrySet().stream().filter(e -> y.containsKey(e.getKey())).mapToDouble(e -> Math.log(e.getValue() / y.get(e.getKey()))).toArray();
    }

    private static double sd(double[] x) {
        double mean = Arrays.stream(x).average().orElse(Double.NaN), ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean);
        return Math.sqrt(ss / (x.length - 1));
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
