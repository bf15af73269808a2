package edgepoll.bench.compare;

import static edgepoll.bench.compare.Report.QUICK;
import static edgepoll.bench.compare.Report.f0;
import static edgepoll.bench.compare.Report.f1;
import static edgepoll.bench.compare.Report.f2;

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
    private final ReportVerdicts verdicts;

    ReportMarkdown(Report r) {
        this.report = r;
        this.cfg = r.cfg;
        this.runs = r.runs;
        this.strace = r.strace;
        this.straceRequests = r.straceRequests;
        this.perf = r.perf;
        this.perfRequests = r.perfRequests;
        this.agg = r.agg;
        this.verdicts = new ReportVerdicts(r);
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    String render(List<Target> targets) throws IOException {
        StringBuilder b = new StringBuilder();
        header(b);
        verdicts.calibration(b);
        verdicts.windows(b);
        verdicts.targets(b, targets);
        verdicts.etVsLt(b);
        howMeasured(b);
        verdicts.noise(b);
        for (Workloads.Workload w : cfg.workloads()) {
            Map<String, Agg> m = agg.get(w.name());
            if (m == null || m.isEmpty()) continue;
            workloadTable(b, w, m);
            workloadRatios(b, w, m);
        }
        syscallSections(b);
        chartsAndNotes(b);
        return b.toString();
    }

    /** The title, how long the run took, the machine, and the link when there was one. */
    private void header(StringBuilder b) throws IOException {
        String name = cfg.out().getFileName().toString();
        if (name.startsWith("run-") && cfg.out().getParent() != null) name = cfg.out().getParent().getFileName() + "/" + name;  // --repeat
        b.append("# edgepoll side by side — ").append(name).append("\n\n");
        b.append(String.format(Locale.ROOT, "This run took %s (wall time, from the first server's start to this report): %s, %s, %s%s.%n%n",
                Compare.Progress.mmss(report.elapsedS), count(cfg.servers().size(), "server"), count(cfg.workloads().size(), "workload"),
                count(cfg.blocks(), "block"), cfg.quick() ? " (--quick)" : ""));
        b.append(Machine.describe(cfg)).append('\n');
        if (cfg.load().link() != null) {
            b.append("**Over a link, not loopback.** The servers ran in one network namespace and the load in another, joined by a veth "
                    + "pair of their own (scripts/bench-compare --link): ").append(cfg.load().link())
                    .append(". Every request and response crossed it; the softirq work of delivering a packet runs on the CPU that "
                    + "sent it, and tbf's queue drains from a timer: docs/benchmarks.md, \"Over a link\", says whose CPU figure "
                    + "carries which.\n\n");
        }
    }

    private void howMeasured(StringBuilder b) {
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
    }

    /** One workload's section: its heading and the table of every server's medians. */
    private void workloadTable(StringBuilder b, Workloads.Workload w, Map<String, Agg> m) {
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
    }

    /** Below a workload's table: edgepoll over the C floor, user time above the floor, and edgepoll-et over each. */
    private void workloadRatios(StringBuilder b, Workloads.Workload w, Map<String, Agg> m) {
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

    /** The perf stat and strace -c syscall tables. */
    private void syscallSections(StringBuilder b) {
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
    }

    private void chartsAndNotes(StringBuilder b) {
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
    }

    /** One syscall table: per server, the calls per request grouped as Charts.groups does, and the top four calls. */
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
