package edgepoll.bench.compare;

import edgepoll.bench.compare.Report.Agg;
import edgepoll.bench.compare.Report.Target;
import java.util.List;
import java.util.Map;

/**
 * results.json of one comparison run (schema {@code edgepoll-bench-compare/2}): the configuration,
 * the A/A calibration, the targets with their intervals, the medians per workload and server, every window's figures (kept and dropped), the perf and strace call
 * counts and the notes.
 */
final class ReportJson {
    private final Config cfg;
    private final List<Compare.Run> runs;
    private final Map<String, Map<String, Long>> strace;
    private final Map<String, Long> straceRequests;
    private final Map<String, Map<String, Long>> perf;
    private final Map<String, Long> perfRequests;
    private final Map<String, Map<String, Agg>> agg;
    private final Report report;

    ReportJson(Report r) {
        this.report = r;
        this.cfg = r.cfg;
        this.runs = r.runs;
        this.strace = r.strace;
        this.straceRequests = r.straceRequests;
        this.perf = r.perf;
        this.perfRequests = r.perfRequests;
        this.agg = r.agg;
    }

    String render(List<Target> targets) {
        StringBuilder b = new StringBuilder("{\n  \"schema\": \"edgepoll-bench-compare/2\",\n");
        b.append("  \"elapsed_s\": ").append(Json.num(Math.round(report.elapsedS))).append(",\n");
        b.append("  \"server_count\": ").append(cfg.servers().size()).append(",\n  \"servers\": [");
        for (int i = 0; i < cfg.servers().size(); i++) b.append(i == 0 ? "" : ", ").append(Json.str(cfg.servers().get(i).name()));
        b.append("],\n");
        b.append("  \"config\": {\"blocks\": ").append(cfg.blocks()).append(", \"seed\": ").append(cfg.seed())
                .append(", \"targets_only\": ").append(cfg.targetsOnly()).append(", \"warmup_s\": ").append(Json.num(cfg.warmupS()))
                .append(", \"duration_s\": ").append(Json.num(cfg.durationS())).append(", \"server_cpu\": ").append(cfg.serverCpu())
                .append(", \"load_cpu\": ").append(cfg.loadCpu()).append(", \"quick\": ").append(cfg.quick())
                .append(", \"host\": ").append(Json.str(cfg.load().host())).append(", \"link\": ").append(cfg.load().link() == null ? "null" : Json.str(cfg.load().link()))
                .append("},\n");
        verdictsJson(b, targets);
        mediansJson(b);
        windowsJson(b);
        b.append("  \"strace\": ");
        countsJson(b, strace, straceRequests);
        b.append(",\n  \"perf\": ");
        countsJson(b, perf, perfRequests);
        b.append(",\n  \"notes\": [");
        for (int i = 0; i < cfg.notes().size(); i++) b.append(i == 0 ? "" : ", ").append(Json.str(cfg.notes().get(i)));
        b.append("]\n}\n");
        return b.toString();
    }

    /** The A/A calibration, the reasons not to trust the run, and the targets. */
    private void verdictsJson(StringBuilder b, List<Target> targets) {
        b.append("  \"calibration\": [");
        List<Report.Calibration> cs = report.calibrations();
        for (int i = 0; i < cs.size(); i++) {
            Report.Calibration c = cs.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"twin\": ").append(Json.str(c.twin())).append(", \"original\": ").append(Json.str(c.original()))
                    .append(", \"workload\": ").append(Json.str(c.workload())).append(", ").append(interval(c.ci())).append('}');
        }
        b.append("\n  ],\n  \"untrustworthy\": [");
        List<String> why = report.untrustworthy();
        for (int i = 0; i < why.size(); i++) b.append(i == 0 ? "" : ", ").append(Json.str(why.get(i)));
        b.append("],\n  \"targets\": [");
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(Json.str(t.name())).append(", \"asked\": ").append(Json.str(t.asked()))
                    .append(", \"measured\": ").append(Json.str(t.measured())).append(", \"verdict\": ").append(Json.str(t.verdict()))
                    .append(", \"met\": ").append(cfg.quick() ? null : t.met())
                    .append(", \"detail\": ").append(Json.str(t.detail())).append('}');
        }
        b.append("\n  ],\n");
    }

    /** The medians per workload and server. */
    private void mediansJson(StringBuilder b) {
        b.append("  \"medians\": {");
        boolean firstW = true;
        for (Map.Entry<String, Map<String, Agg>> w : agg.entrySet()) {
            b.append(firstW ? "\n" : ",\n").append("    ").append(Json.str(w.getKey())).append(": {");
            firstW = false;
            boolean first = true;
            for (Map.Entry<String, Agg> e : w.getValue().entrySet()) {
                Agg a = e.getValue();
                b.append(first ? "\n" : ",\n").append("      ").append(Json.str(e.getKey())).append(": {\"rps\": ").append(Json.num(a.rps()))
                        .append(", \"rps_min\": ").append(Json.num(a.rpsMin())).append(", \"rps_max\": ").append(Json.num(a.rpsMax()))
                        .append(", \"p50_us\": ").append(Json.num(a.p50us())).append(", \"p99_us\": ").append(Json.num(a.p99us()))
                        .append(", \"server_cpu_us_per_request\": ").append(Json.num(a.cpuUs()))
                        .append(", \"user_us_per_request\": ").append(Json.num(a.userUs()))
                        .append(", \"kernel_us_per_request\": ").append(Json.num(a.kernelUs()))
                        .append(", \"jvm_runtime_us_per_request\": ").append(Json.num(a.runtimeUs()))
                        .append(", \"server_cpu_percent\": ").append(Json.num(a.serverCpuPct()))
                        .append(", \"load_cpu_percent\": ").append(Json.num(a.loadCpuPct()))
                        .append(", \"syscalls_per_request\": ").append(Json.num(a.syscalls()))
                        .append(", \"alloc_bytes_per_request\": ").append(Json.num(a.alloc()))
                        .append(", \"errors\": ").append(a.errors()).append(", \"windows\": ").append(a.windows())
                        .append(", \"windows_dropped\": ").append(a.droppedWindows()).append('}');
                first = false;
            }
            b.append("\n    }");
        }
        b.append("\n  },\n");
    }

    /** Every window's figures, kept and dropped. */
    private void windowsJson(StringBuilder b) {
        b.append("  \"runs\": [");
        List<Compare.Run> windows = new java.util.ArrayList<>(runs);
        windows.addAll(report.dropped);
        for (int i = 0; i < windows.size(); i++) {
            Compare.Run r = windows.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"server\": ").append(Json.str(r.server())).append(", \"workload\": ")
                    .append(Json.str(r.workload())).append(", \"block\": ").append(r.block() + 1)
                    .append(", \"dropped\": ").append(r.dropped() == null ? "null" : Json.str(r.dropped()))
                    .append(", \"steal_server_cpu_percent\": ").append(Json.num(r.stealServerPct()))
                    .append(", \"steal_load_cpu_percent\": ").append(Json.num(r.stealLoadPct()))
                    .append(", \"requests\": ").append(r.m().requests()).append(", \"seconds\": ").append(Json.num(r.m().seconds()))
                    .append(", \"rps\": ").append(Json.num(r.m().rps())).append(", \"p50_us\": ").append(Json.num(r.m().p50us()))
                    .append(", \"p99_us\": ").append(Json.num(r.m().p99us())).append(", \"errors\": ").append(r.m().errors())
                    .append(", \"server_cpu_us_per_request\": ").append(Json.num(r.cpuUsPerRequest()))
                    .append(", \"user_us_per_request\": ").append(Json.num(r.userUsPerRequest()))
                    .append(", \"kernel_us_per_request\": ").append(Json.num(r.kernelUsPerRequest()))
                    .append(", \"jvm_runtime_us_per_request\": ").append(Json.num(r.runtimeUsPerRequest()))
                    .append(", \"server_cpu_percent\": ").append(Json.num(r.serverCpuPercent()))
                    .append(", \"load_cpu_percent\": ").append(Json.num(r.loadCpuPercent()))
                    .append(", \"other_on_server_cpu_percent\": ").append(Json.num(r.otherOnServerCpuPercent()))
                    .append(", \"alloc_bytes_per_request\": ").append(Json.num(r.allocBytesPerRequest()))
                    .append(", \"syscalls_per_request\": {");
            boolean first = true;
            for (Map.Entry<String, Double> e : r.syscallsPerRequest().entrySet()) {
                b.append(first ? "" : ", ").append(Json.str(e.getKey())).append(": ").append(Json.num(e.getValue()));
                first = false;
            }
            b.append("}}");
        }
        b.append("\n  ],\n");
    }

    static String interval(Stats.Interval ci) {
        return "\"ratio\": " + Json.num(ci.estimate()) + ", \"lo95\": " + Json.num(ci.lo()) + ", \"hi95\": " + Json.num(ci.hi())
                + ", \"blocks\": " + ci.n();
    }

    /** Calls by syscall and the requests of the run, per server, as a JSON object. */
    private static void countsJson(StringBuilder b, Map<String, Map<String, Long>> counts, Map<String, Long> requests) {
        b.append('{');
        boolean firstServer = true;
        for (Map.Entry<String, Map<String, Long>> e : counts.entrySet()) {
            b.append(firstServer ? "\n" : ",\n").append("    ").append(Json.str(e.getKey())).append(": {\"requests\": ")
                    .append(requests.get(e.getKey())).append(", \"calls\": {");
            firstServer = false;
            boolean first = true;
            for (Map.Entry<String, Long> c : e.getValue().entrySet()) {
                b.append(first ? "" : ", ").append(Json.str(c.getKey())).append(": ").append(c.getValue());
                first = false;
            }
            b.append("}}");
        }
        b.append(firstServer ? "}" : "\n  }");
    }
}
