package edgepoll.bench.compare;

import static edgepoll.bench.compare.Report.QUICK;
import static edgepoll.bench.compare.Report.f0;
import static edgepoll.bench.compare.Report.f1;
import static edgepoll.bench.compare.Report.f2;
import static edgepoll.bench.compare.Report.median;

import edgepoll.bench.compare.Report.Agg;
import edgepoll.bench.compare.Report.Target;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.md of one comparison run, from a {@link Report}'s medians: the machine, how it was
 * measured, the targets, one table per workload with the ratios to the C floor and to edgepoll-et,
 * the perf and strace syscall tables, the charts and the notes.
 */
final class ReportMarkdown {
    private final Config cfg;
    private final List<Compare.Run> runs;
    private final Map<String, Map<String, Long>> strace;
    private final Map<String, Long> straceRequests;
    private final Map<String, Map<String, Long>> perf;
    private final Map<String, Long> perfRequests;
    private final Map<String, Map<String, Agg>> agg;
    private final Report report;

    ReportMarkdown(Report r) {
        this.report = r;
        this.cfg = r.cfg;
        this.runs = r.runs;
        this.strace = r.strace;
        this.straceRequests = r.straceRequests;
        this.perf = r.perf;
        this.perfRequests = r.perfRequests;
        this.agg = r.agg;
    }

    String render(List<Target> targets) throws IOException {
        StringBuilder b = new StringBuilder();
        String name = cfg.out().getFileName().toString();
        if (name.startsWith("run-") && cfg.out().getParent() != null) name = cfg.out().getParent().getFileName() + "/" + name;  // --repeat
        b.append("# edgepoll side by side — ").append(name).append("\n\n");
        b.append(String.format(Locale.ROOT, "This run took %s (wall time, from the first server's start to this report).%n%n",
                Compare.Progress.mmss(report.elapsedS)));
        b.append(Machine.describe(cfg)).append('\n');
        if (cfg.load().link() != null) {
            b.append("**Over a link, not loopback.** The servers ran in one network namespace and the load in another, joined by a veth "
                    + "pair of their own (scripts/bench-compare --link): ").append(cfg.load().link())
                    .append(". Every request and response crossed it; the softirq work of delivering a packet runs on the CPU that "
                    + "sent it, and tbf's queue drains from a timer: docs/benchmarks.md, \"Over a link\", says whose CPU figure "
                    + "carries which.\n\n");
        }
        calibration(b);
        windows(b);
        targets(b, targets);
        etVsLt(b);
        b.append("""
                ## How it was measured

                All servers start together, pinned to the server CPU, with one event loop each (nginx: one
                worker, `master_process off`); idle ones sleep in epoll_wait. Each is warmed up first with the
                measurements' whole life cycle (every workload once, connections opened and closed, edgepoll's
                stats polled as in a measurement, then the first workload again), so the JIT's recompilations
                after a first close or a first stats request happen before the measured windows (docs/performance.md,
                "The tail"). The measured time is then cut into windows of %.0f s, one server under one workload
                each, in randomized blocks: each block holds every server once under every workload, the
                workloads and, within each, the servers in an order drawn from the run's seed (%d), so each
                comparison is made between windows seconds apart. The load runs pinned to the other CPU: wrk
                with one thread for HTTP, `edgepoll.jar load` (closed loop, %d-byte messages) for echo.
                Closed loop ranks throughput, but each server then meets its own arrival pattern (one that
                keeps up sleeps in epoll_wait and is woken per request, one that falls behind takes dozens
                per wake-up), so its CPU per request mixes its code with its queueing state. The workloads
                "at %,d req/s" (and msg/s) offer every server the same requests at the same times instead:
                bench/src/main/c/rateload.c, an open loop in C (Poisson arrivals from a fixed seed; one request
                in flight per connection, latency from the due time; spinning on the load CPU; when over 1%% of
                a window's requests left over 1 ms late they count as errors), below every server's saturation.

                **Which CPU figure is which.** *server CPU µs/req* is exact: the kernel's run time of every
                thread of the server process (/proc/PID/task/TID/schedstat, first field, in ns), summed, read
                right before the load starts and right after it exits, over the window's requests. *user* and
                *kernel* divide that figure in the proportion of the process's utime and stime ticks over the
                window (/proc/PID/stat fields 14 and 15, USER_HZ ticks): the split is sampled, the total is not.
                *user time above the C floor* (the user target against Netty) is built from that user share;
                *of which JVM runtime* is the utime ticks of the JVM's compiler, GC and VM threads. The c-*
                servers are the C floor (bench/src/main/c/cfloor.c, `gcc -O2`, one thread): exactly edgepoll's
                syscalls per request in the same drain policy, so *edgepoll ÷ C* is what the JVM and edgepoll's
                Java cost on top of the kernel's work. The kernel's split charges user time to every syscall
                here (an interrupt held while the kernel runs with interrupts off is taken on the way back to
                user mode, and its tick counted there: a getppid(2) loop shows 40–50%% of its CPU as user), so the
                C floor shows microseconds of "user" per request; *user time above the C floor making the same
                syscalls* (Netty's epoll transport makes c-et-short-read's) takes that charge off.

                **Intervals and verdicts.** Every ratio is paired: within each block, one server's window
                over the other's; the ratio is the geometric mean of those per-block ratios (user time above
                the floor: the ratio of the blocks' mean differences), and its 95%% interval comes from a
                bootstrap over the blocks (%,d resamples, expanded percentile interval for small samples).
                The verdict: *cheaper* when the whole interval is under 1.00 (for req/s: *slower*), *dearer*
                when it is over (req/s: *faster*), else *no detectable difference*, within the interval's
                reach of 1.00. Under %d paired blocks no verdict is given. A target "≤ X" is met when the
                upper bound is at most X. The table figures per workload are medians of the kept windows.
                *server CPU %%* tells whether the server was saturated; *load CPU %%* is the load CPU's busy
                time. *syscalls/req* is edgepoll's own counters over the window (echo: over the server's life,
                per message). *B/req* is the loop thread's heap allocation per request in steady state.

                """.formatted(cfg.durationS(), cfg.seed(), Workloads.ECHO_MESSAGE, Workloads.RATE, Stats.RESAMPLES, Stats.MIN_BLOCKS));
        noise(b);
        for (Workloads.Workload w : cfg.workloads()) {
            Map<String, Agg> m = agg.get(w.name());
            if (m == null || m.isEmpty()) continue;
            b.append("## ").append(w.label()).append(" (`").append(w.name()).append("`)\n\n");
            if (cfg.quick()) b.append(QUICK).append("\n\n");
            b.append("| server | windows kept (dropped) | req/s (min–max) | p50 µs | p99 µs | server CPU µs/req | user µs/req | kernel µs/req "
                    + "| of which JVM runtime user µs/req | server CPU % | load CPU % | syscalls/req | B/req | errors |\n");
            b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Map.Entry<String, Agg> e : m.entrySet()) {
                Agg a = e.getValue();
                b.append(String.format(Locale.ROOT, "| %s | %d (%d) | %s (%s–%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n", e.getKey(),
                        a.windows(), a.droppedWindows(), f0(a.rps()), f0(a.rpsMin()), f0(a.rpsMax()), f0(a.p50us()), f0(a.p99us()), f2(a.cpuUs()),
                        f2(a.userUs()), f2(a.kernelUs()), f2(a.runtimeUs()), f0(a.serverCpuPct()), f0(a.loadCpuPct()), f2(a.syscalls()),
                        f1(a.alloc()), a.errors()));
            }
            b.append('\n');
            List<String> floors = new ArrayList<>();
            for (String server : m.keySet()) {
                if (!server.startsWith("edgepoll-") || server.endsWith(Servers.TWIN) || CFloor.sameSyscalls(server) == null) continue;
                String c = CFloor.peerOf(server);
                if (!m.containsKey(c)) continue;
                Stats.Interval ci = report.ratio(w.name(), server, c, Figure.CPU);
                floors.add(String.format(Locale.ROOT, "%s ÷ %s %s, %s", server, c, ci.text(), Figure.CPU.verdict(ci)));
            }
            if (!floors.isEmpty()) {
                b.append("edgepoll over the C floor of the same drain policy (CPU per request, 95% interval): ").append(String.join("; ", floors)).append(".\n\n");
            }
            List<String> above = new ArrayList<>();
            for (String server : m.keySet()) {
                Map<Integer, Double> d = report.userAboveFloor(w.name(), server);
                if (!d.isEmpty()) {
                    above.add(String.format(Locale.ROOT, "%s %s (over %s)", server, f2(Report.median(d.values())), CFloor.sameSyscalls(server)));
                }
            }
            if (above.size() > 1) {
                b.append("User time above the C floor making the same syscalls (µs per request, median of the blocks' differences): ")
                        .append(String.join("; ", above)).append(".\n\n");
            }
            if (m.containsKey("edgepoll-et")) {
                b.append("edgepoll-et over each (CPU per request, 95% interval, verdict): ");
                List<String> parts = new ArrayList<>();
                for (String server : m.keySet()) {
                    if (server.equals("edgepoll-et")) continue;
                    Stats.Interval ci = report.ratio(w.name(), "edgepoll-et", server, Figure.CPU);
                    parts.add(String.format(Locale.ROOT, "%s %s %s", server, ci.text(), Figure.CPU.verdict(ci)));
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
        b.append("## Charts\n\nBars are means over the kept windows; whiskers the 95% interval of that mean over the blocks "
                        + "(ratios: the wider side of the ratio's interval).\n\n")
                .append("![CPU per request relative to the peer, 95% intervals](ratios.png)\n\n")
                .append("![req/s by connections](rps-by-connections.png)\n\n![req/s by workload](rps-by-workload.png)\n\n")
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

    /** The A/A pairs first: whether this run's intervals can be trusted at all. */
    private void calibration(StringBuilder b) {
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
    private void etVsLt(StringBuilder b) {
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
    private void windows(StringBuilder b) {
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

    private void targets(StringBuilder b, List<Target> targets) {
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
    private void noise(StringBuilder b) {
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
}
