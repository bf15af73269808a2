package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * report.md, results.json and the charts of one comparison run. Every figure is the median of the
 * repetitions, with min–max beside req/s; ratios compare medians of the same run only.
 */
final class Report {
    private final Config cfg;
    private final List<Compare.Run> runs;
    private final Map<String, Map<String, Long>> strace;
    private final Map<String, Long> straceRequests;
    private final Map<String, Map<String, Long>> perf;
    private final Map<String, Long> perfRequests;
    private final Map<String, Map<String, Agg>> agg = new LinkedHashMap<>();  // workload -> server -> figures

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
        double[] v = rs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<Compare.Run> rs, ToDoubleFunction<Compare.Run> f) {
        return rs.stream().mapToDouble(f).min().orElse(Double.NaN);
    }

    private static double max(List<Compare.Run> rs, ToDoubleFunction<Compare.Run> f) {
        return rs.stream().mapToDouble(f).max().orElse(Double.NaN);
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
        Files.writeString(cfg.out().resolve("report.md"), markdown(targets));
        Files.writeString(cfg.out().resolve("results.json"), json(targets));
    }

    /** What a --quick report says above every figure. */
    static final String QUICK = "Figures are indicative (quick run: single short samples).";

    /** A target of the benchmarks issue: what was asked, what was measured, met or missed by how much. */
    record Target(String name, String asked, String measured, Boolean met, String detail) {}

    private String markdown(List<Target> targets) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# edgepoll side by side — ").append(cfg.out().getFileName()).append("\n\n");
        b.append(Machine.describe(cfg)).append('\n');
        double other = median(runs, Compare.Run::otherOnServerCpuPercent);
        if (other >= 5) {
            b.append(String.format(Locale.ROOT, "**The machine was shared during this run: other processes took a median %.0f%% of the "
                    + "server CPU while the servers were measured** (its /proc/stat busy time less the server's own). Servers then "
                    + "get a fraction of their CPU, and req/s, latency and CPU per request are not comparable with a quiet machine's "
                    + "nor reliably between servers; syscalls per request are unaffected.%n%n", other));
        }
        b.append("""
                All servers start together, pinned to the server CPU, with one event loop each (nginx: one
                worker, `master_process off`); idle ones sleep in epoll_wait. Each is warmed up first with the
                measurements' whole life cycle (every workload once, connections opened and closed, edgepoll's
                stats polled as in a measurement, then the first workload again), so the JIT's recompilations
                after a first close or a first stats request happen before the measured windows (docs/performance.md,
                "The tail"); then each is measured alone, one workload at a
                time, the servers in a rotated order in each repetition; the load runs pinned to the other CPU:
                wrk with one thread for HTTP, `edgepoll.jar load` (closed loop, %d-byte messages) for echo.
                Figures are medians of the repetitions (req/s with min–max). *server CPU µs/req*
                is the server process's utime+stime (all its threads, /proc/PID/stat fields 14 and 15, read
                right before and right after the load) over the requests of that window; *user* and *kernel*
                split it into utime and stime (the kernel's own split: exact total runtime, divided between
                user and kernel mode in the proportion of its tick samples; 1 tick = 1/USER_HZ s, under 0.5%%
                of a run's CPU). The c-* servers are the C floor (bench/src/main/c/cfloor.c, `gcc -O2`, one
                thread): exactly edgepoll's syscalls per request in the same drain policy, so *edgepoll ÷ C*
                is what the JVM and edgepoll's Java cost on top of the kernel's work. *server CPU %%*
                tells whether the server was saturated (100%% = the load was not the limit); *load CPU %%* is the
                load CPU's busy time. *syscalls/req* is edgepoll's own counters over the measured window (echo:
                over the server's life, per message); the peers' are in the strace table below. *B/req* is the
                loop thread's heap allocation per request in steady state: from a quarter to three quarters of
                the run, so connection set-up stays out (the stats request's own allocation taken off).

                """.formatted(Workloads.ECHO_MESSAGE));
        if (cfg.quick()) {
            // issue 12 item 7: one short sample per figure decides nothing
            b.append("## Targets (indicative: no verdicts)\n\n").append(QUICK).append(" Verdicts come from the full run "
                    + "(`scripts/bench-compare` without `--quick`: warm-up, 3 repetitions, medians).\n\n");
            b.append("| target | asked | measured |\n|---|---|---|\n");
            for (Target t : targets) {
                b.append("| ").append(t.name).append(" | ").append(t.asked).append(" | ").append(t.measured).append(t.met == null ? "" : " (indicative)").append(" |\n");
            }
        } else {
            b.append("## Targets\n\n| target | asked | measured | verdict |\n|---|---|---|---|\n");
            for (Target t : targets) {
                b.append("| ").append(t.name).append(" | ").append(t.asked).append(" | ").append(t.measured).append(" | ")
                        .append(t.met == null ? "n/a" : t.met ? "**met**" : "**missed**").append(t.detail.isEmpty() ? "" : " — " + t.detail).append(" |\n");
            }
        }
        b.append('\n');
        for (Workloads.Workload w : cfg.workloads()) {
            Map<String, Agg> m = agg.get(w.name());
            if (m == null || m.isEmpty()) continue;
            b.append("## ").append(w.label()).append(" (`").append(w.name()).append("`)\n\n");
            if (cfg.quick()) b.append(QUICK).append("\n\n");
            b.append("| server | req/s (min–max) | p50 µs | p99 µs | server CPU µs/req | user µs/req | kernel µs/req | of which JVM runtime user µs/req "
                    + "| server CPU % | load CPU % | syscalls/req | B/req | errors |\n");
            b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Map.Entry<String, Agg> e : m.entrySet()) {
                Agg a = e.getValue();
                b.append(String.format(Locale.ROOT, "| %s | %s (%s–%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n", e.getKey(),
                        f0(a.rps), f0(a.rpsMin), f0(a.rpsMax), f0(a.p50us), f0(a.p99us), f2(a.cpuUs), f2(a.userUs), f2(a.kernelUs),
                        f2(a.runtimeUs), f0(a.serverCpuPct), f0(a.loadCpuPct), f2(a.syscalls), f1(a.alloc), a.errors));
            }
            b.append('\n');
            List<String> floors = new ArrayList<>();
            for (Map.Entry<String, Agg> e : m.entrySet()) {
                if (!e.getKey().startsWith("edgepoll-")) continue;
                Agg c = m.get(CFloor.peerOf(e.getKey()));
                if (c == null) continue;
                Agg a = e.getValue();
                floors.add(String.format(Locale.ROOT, "%s ÷ %s %.2f× (user %.2f×, kernel %.2f×)", e.getKey(), CFloor.peerOf(e.getKey()),
                        a.cpuUs / c.cpuUs, a.userUs / c.userUs, a.kernelUs / c.kernelUs));
            }
            if (!floors.isEmpty()) {
                b.append("edgepoll over the C floor of the same drain policy (CPU per request): ").append(String.join("; ", floors)).append(".\n\n");
            }
            Agg et = m.get("edgepoll-et");
            if (et != null) {
                b.append("edgepoll-et relative to each (req/s ratio, CPU per request ratio): ");
                List<String> parts = new ArrayList<>();
                for (Map.Entry<String, Agg> e : m.entrySet()) {
                    if (e.getKey().equals("edgepoll-et")) continue;
                    parts.add(String.format(Locale.ROOT, "%s %.2f× / %.2f×", e.getKey(), et.rps / e.getValue().rps, et.cpuUs / e.getValue().cpuUs));
                }
                b.append(String.join("; ", parts)).append(".\n\n");
            }
        }
        b.append("## Syscalls per request, perf stat\n\n");
        if (perf.isEmpty()) {
            b.append("No perf run (see notes).\n\n");
        } else {
            b.append("""
                    A separate short run per server (keep-alive, 64 connections) with `perf stat` counting the
                    kernel's syscall-entry tracepoints for the whole server process: every thread, and nothing
                    slowed down, so this is the syscall mix of a real run (the chart shows these). Grouped as in the
                    strace table below.

                    """);
            syscallTable(b, perf, perfRequests);
        }
        b.append("## Syscalls per request, strace -c\n\n");
        if (strace.isEmpty()) {
            b.append("No strace run (see notes).\n\n");
        } else {
            b.append("""
                    A separate run per server under `strace -c -f` (every thread of the process), keep-alive with 64
                    connections, so the figures are per request but the throughput of that run is strace's, not the
                    server's. Columns group the calls: reads (read, recvfrom, readv, recvmsg), writes (write,
                    sendto, writev, sendmsg), waits (epoll_wait, epoll_pwait, poll, ppoll, select), epoll_ctl, and
                    every other call (futex, clock_gettime, ...: mostly the JVM's own threads).

                    strace stops the traced thread twice per call, so a server under it runs an order of magnitude
                    slower and batches differently: fewer epoll_wait per request (more events pile up per wake-up),
                    and edgepoll's strict ET drain read often finds the client's next request already there instead
                    of EAGAIN. The perf table above is the undistorted mix; this one is kept because strace names
                    every call.

                    """);
            syscallTable(b, strace, straceRequests);
        }
        b.append("## Charts\n\n![req/s by connections](rps-by-connections.png)\n\n![req/s by workload](rps-by-workload.png)\n\n")
                .append("![server CPU per request](cpu-per-request.png)\n\n![user and kernel CPU per request](cpu-user-kernel.png)\n\n")
                .append("![syscalls per request](syscalls-per-request.png)\n\n");
        if (!cfg.notes().isEmpty()) {
            b.append("## Notes\n\n");
            for (String n : cfg.notes()) b.append("- ").append(n).append('\n');
            b.append('\n');
        }
        b.append("Every run's figures are in `results.json`; each server's output is in `logs/` beside this file (kept out of git: it holds machine paths).\n");
        return b.toString();
    }

    private static void syscallTable(StringBuilder b, Map<String, Map<String, Long>> counts, Map<String, Long> requests) {
        b.append("| server | requests | reads | writes | waits | epoll_ctl | other | total | top calls |\n");
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, Long>> e : counts.entrySet()) {
            double req = Math.max(1, requests.get(e.getKey()));
            double[] g = Charts.groups(e.getValue());
            List<Map.Entry<String, Long>> top = new ArrayList<>(e.getValue().entrySet());
            top.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
            StringBuilder t = new StringBuilder();
            for (int i = 0; i < Math.min(4, top.size()); i++) {
                t.append(i == 0 ? "" : ", ").append(top.get(i).getKey()).append(' ').append(f2(top.get(i).getValue() / req));
            }
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", e.getKey(), (long) req,
                    f2(g[0] / req), f2(g[1] / req), f2(g[2] / req), f2(g[3] / req), f2(g[4] / req),
                    f2(Arrays.stream(g).sum() / req), t));
        }
        b.append('\n');
    }

    private String json(List<Target> targets) {
        StringBuilder b = new StringBuilder("{\n  \"schema\": \"edgepoll-bench-compare/1\",\n");
        b.append("  \"config\": {\"reps\": ").append(cfg.reps()).append(", \"warmup_s\": ").append(Json.num(cfg.warmupS()))
                .append(", \"duration_s\": ").append(Json.num(cfg.durationS())).append(", \"server_cpu\": ").append(cfg.serverCpu())
                .append(", \"load_cpu\": ").append(cfg.loadCpu()).append(", \"quick\": ").append(cfg.quick()).append("},\n");
        b.append("  \"targets\": [");
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(Json.str(t.name)).append(", \"asked\": ").append(Json.str(t.asked))
                    .append(", \"measured\": ").append(Json.str(t.measured)).append(", \"met\": ").append(cfg.quick() ? null : t.met)
                    .append(", \"detail\": ").append(Json.str(t.detail)).append('}');
        }
        b.append("\n  ],\n  \"medians\": {");
        boolean firstW = true;
        for (Map.Entry<String, Map<String, Agg>> w : agg.entrySet()) {
            b.append(firstW ? "\n" : ",\n").append("    ").append(Json.str(w.getKey())).append(": {");
            firstW = false;
            boolean first = true;
            for (Map.Entry<String, Agg> e : w.getValue().entrySet()) {
                Agg a = e.getValue();
                b.append(first ? "\n" : ",\n").append("      ").append(Json.str(e.getKey())).append(": {\"rps\": ").append(Json.num(a.rps))
                        .append(", \"rps_min\": ").append(Json.num(a.rpsMin)).append(", \"rps_max\": ").append(Json.num(a.rpsMax))
                        .append(", \"p50_us\": ").append(Json.num(a.p50us)).append(", \"p99_us\": ").append(Json.num(a.p99us))
                        .append(", \"server_cpu_us_per_request\": ").append(Json.num(a.cpuUs))
                        .append(", \"user_us_per_request\": ").append(Json.num(a.userUs))
                        .append(", \"kernel_us_per_request\": ").append(Json.num(a.kernelUs))
                        .append(", \"jvm_runtime_us_per_request\": ").append(Json.num(a.runtimeUs))
                        .append(", \"server_cpu_percent\": ").append(Json.num(a.serverCpuPct))
                        .append(", \"load_cpu_percent\": ").append(Json.num(a.loadCpuPct))
                        .append(", \"syscalls_per_request\": ").append(Json.num(a.syscalls))
                        .append(", \"alloc_bytes_per_request\": ").append(Json.num(a.alloc))
                        .append(", \"errors\": ").append(a.errors).append('}');
                first = false;
            }
            b.append("\n    }");
        }
        b.append("\n  },\n  \"runs\": [");
        for (int i = 0; i < runs.size(); i++) {
            Compare.Run r = runs.get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"server\": ").append(Json.str(r.server())).append(", \"workload\": ")
                    .append(Json.str(r.workload())).append(", \"rep\": ").append(r.rep() + 1)
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
        b.append("\n  ],\n  \"strace\": ");
        countsJson(b, strace, straceRequests);
        b.append(",\n  \"perf\": ");
        countsJson(b, perf, perfRequests);
        b.append(",\n  \"notes\": [");
        for (int i = 0; i < cfg.notes().size(); i++) b.append(i == 0 ? "" : ", ").append(Json.str(cfg.notes().get(i)));
        b.append("]\n}\n");
        return b.toString();
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
