package edgepoll.bench.compare;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --repeat N}: the whole comparison N times back to back (DIR/run-1 ..., each with its own
 * servers, warm-up and order), then DIR/repeat.md: every verdict of every run side by side (the A/A
 * pairs first) and whether they agree. A verdict that flips between two runs of the same code was
 * decided by the machine, not the code.
 */
final class Repeat {
    private Repeat() {}

    static List<Report> run(Config cfg) throws Exception {
        long start = System.nanoTime();
        System.err.printf(Locale.ROOT, "bench-compare: %d runs, about %s in all%n", cfg.repeat(),
                Compare.Progress.mmss(cfg.repeat() * Compare.estimateSeconds(cfg)));
        List<Report> reports = new ArrayList<>();
        for (int k = 1; k <= cfg.repeat(); k++) {
            System.err.printf(Locale.ROOT, "bench-compare: run %d of %d%n", k, cfg.repeat());
            reports.add(Compare.run(cfg.repetition(k)));
        }
        Files.createDirectories(cfg.out());
        Files.writeString(cfg.out().resolve("repeat.md"), render(cfg, reports, (System.nanoTime() - start) / 1e9));
        System.out.println("bench-compare: verdicts of every run side by side: " + cfg.out().resolve("repeat.md"));
        return reports;
    }

    /** The verdict's class, without its "within ±X%": what two runs must agree on. */
    static String verdictClass(String verdict) {
        int paren = verdict.indexOf(" (");
        return paren < 0 ? verdict : verdict.substring(0, paren);
    }

    static boolean decided(String verdict) {
        return !verdict.isEmpty() && !verdict.startsWith("too few");
    }

    static String render(Config cfg, List<Report> reports, double elapsedS) {
        StringBuilder b = new StringBuilder("# Every verdict of " + reports.size() + " runs"
                + (cfg.out() == null ? "" : " — " + cfg.out().getFileName()) + "\n\n");
        b.append(String.format(Locale.ROOT, "%d whole comparisons back to back (`--repeat %d`%s), %d blocks each; they took %s in all. "
                        + "Each run's report: ", reports.size(), reports.size(), cfg.targetsOnly() ? ", `--targets-only`" : cfg.quick() ? ", `--quick`" : "",
                cfg.blocks(), Compare.Progress.mmss(elapsedS)));
        for (int k = 1; k <= reports.size(); k++) b.append(k == 1 ? "" : ", ").append("[run-").append(k).append("](run-").append(k).append("/report.md)");
        b.append(".\n\n");
        // rows: the A/A pairs, ET vs LT, then every target with a verdict; cells: "ratio [lo, hi] verdict"
        Map<String, List<String[]>> rows = new LinkedHashMap<>();
        for (int k = 0; k < reports.size(); k++) {
            Report r = reports.get(k);
            for (Report.Calibration c : r.calibrations()) {
                String name = String.format(Locale.ROOT, "A/A: %s / %s, CPU per request, %s", c.twin(), c.original(), Workloads.byName(c.workload()).label());
                cell(rows, name, k, reports.size(), c.ci().text(), Figure.CPU.verdict(c.ci()));
            }
        }
        for (int k = 0; k < reports.size(); k++) {
            for (Report.Answer a : reports.get(k).etVsLt()) cell(rows, a.name(), k, reports.size(), a.ratio().text(), Figure.CPU.verdict(a.ratio()));
        }
        for (int k = 0; k < reports.size(); k++) {
            for (Report.Target t : reports.get(k).targets()) {
                if (!t.verdict().isEmpty()) cell(rows, t.name(), k, reports.size(), t.measured().replaceAll(", \\d+ blocks.*", ""), t.verdict());
            }
        }
        b.append("| comparison |");
        for (int k = 1; k <= reports.size(); k++) b.append(" run ").append(k).append(" |");
        b.append(" agree |\n|---|");
        b.append("---|".repeat(reports.size())).append("---|\n");
        int agree = 0, decidedRows = 0;
        List<String> flips = new ArrayList<>();
        for (Map.Entry<String, List<String[]>> e : rows.entrySet()) {
            b.append("| ").append(e.getKey()).append(" |");
            String first = null;
            boolean same = true, all = true;
            for (String[] c : e.getValue()) {
                b.append(' ').append(c == null ? "not run" : c[0] + " " + c[1]).append(" |");
                if (c == null || !decided(c[1])) {
                    all = false;
                    continue;
                }
                if (first == null) first = verdictClass(c[1]);
                else if (!first.equals(verdictClass(c[1]))) same = false;
            }
            String mark = !all ? "n/a" : same ? "yes" : "**no**";
            if (all) {
                decidedRows++;
                if (same) agree++;
                else flips.add(e.getKey());
            }
            b.append(' ').append(mark).append(" |\n");
        }
        b.append(decidedRows == 0 ? "\n**No verdict was decided in every run** (too few blocks: see each cell)."
                : String.format(Locale.ROOT, "%n**%d of %d verdicts agree across the runs.**", agree, decidedRows));
        if (!flips.isEmpty()) b.append(" Flipped: ").append(String.join("; ", flips)).append('.');
        b.append("\n\n");
        for (int k = 0; k < reports.size(); k++) {
            List<String> why = reports.get(k).untrustworthy();
            b.append("Run ").append(k + 1).append(": ").append(why.isEmpty() ? "every A/A interval contains 1.00 (or too few blocks to say)."
                    : "**untrustworthy**: " + String.join("; ", why) + ".").append(String.format(Locale.ROOT, " %d windows dropped%s; took %s.%n",
                    reports.get(k).dropped.size(), cfg.keepDisturbed() ? String.format(Locale.ROOT, " (--keep-disturbed: %d disturbed windows kept)",
                            reports.get(k).runs.stream().filter(r -> !r.kept()).count()) : "", Compare.Progress.mmss(reports.get(k).elapsedS)));
        }
        return b.toString();
    }

    private static void cell(Map<String, List<String[]>> rows, String name, int k, int n, String interval, String verdict) {
        List<String[]> cells = rows.computeIfAbsent(name, x -> {
            List<String[]> l = new ArrayList<>();
            for (int i = 0; i < n; i++) l.add(null);
            return l;
        });
        cells.set(k, new String[] {interval, verdict});
    }
}
