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
                Closed loop ranks throughput, but each server then meets its own arrival pattern (one that
                keeps up sleeps in epoll_wait and is woken per request, one that falls behind takes dozens
                per wake-up), so its CPU per request mixes its code with its queueing state. The workloads
                "at %,d req/s" (and msg/s) offer every server the same requests at the same times instead:
                bench/src/main/c/rateload.c, an open loop in C (Poisson arrivals from a fixed seed, the same
                for every server; one request in flight per connection, latency from the due time; spinning on
                the load CPU so that it keeps the rate and never needs waking; when over 1%% of a window's
                requests left over 1 ms late they count as errors), below every server's saturation. CPU per
                request there is like for like; the targets are checked on both, with each ratio's spread over
                the repetitions beside the medians'. (Uniform arrivals, one every 25 µs, alias with the
                scheduler tick that divides utime from stime: a window's split came out all user or all kernel.)
                Figures are medians of the repetitions (req/s with min–max). *server CPU µs/req*
                is the server process's utime+stime (all its threads, /proc/PID/stat fields 14 and 15, read
                right before and right after the load) over the requests of that window; *user* and *kernel*
                split it into utime and stime (the kernel's own split: exact total runtime, divided between
                user and kernel mode in the proportion of its tick samples; 1 tick = 1/USER_HZ s, under 0.5%%
                of a run's CPU). The c-* servers are the C floor (bench/src/main/c/cfloor.c, `gcc -O2`, one
                thread): exactly edgepoll's syscalls per request in the same drain policy, so *edgepoll ÷ C*
                is what the JVM and edgepoll's Java cost on top of the kernel's work. The kernel's split charges
                user time to every syscall here (an interrupt held while the kernel runs with interrupts off is
                taken on the way back to user mode, and its tick counted there: a getppid(2) loop shows 40–50%%
                of its CPU as user), so the C floor shows microseconds of "user" per request; *user time above
                the C floor making the same syscalls* (below each table; Netty's epoll transport makes
                c-et-short-read's) takes that charge off, and the user-CPU target against Netty is judged on it.
                *server CPU %%*
                tells whether the server was saturated (100%% = the load was not the limit); *load CPU %%* is the
                load CPU's busy time. *syscalls/req* is edgepoll's own counters over the measured window (echo:
                over the server's life, per message); the peers' are in the strace table below. *B/req* is the
                loop thread's heap allocation per request in steady state: from a quarter to three quarters of
                the run, so connection set-up stays out (the stats request's own allocation taken off).

                """.formatted(Workloads.ECHO_MESSAGE, Workloads.RATE));
        if (cfg.quick()) {
            // issue 12 item 7: one short sample per figure decides nothing
            b.append("## Targets (indicative: no verdicts)\n\n").append(QUICK).append(" Verdicts come from the full run "
                    + "(`scripts/bench-compare` without `--quick`: warm-up, 3 repetitions, medians).\n\n");
            b.append("| target | asked | measured |\n|---|---|---|\n");
            for (Target t : targets) {
                b.append("| ").append(t.name()).append(" | ").append(t.asked()).append(" | ").append(t.measured()).append(t.met() == null ? "" : " (indicative)").append(" |\n");
            }
        } else {
            b.append("## Targets\n\n| target | asked | measured | verdict |\n|---|---|---|---|\n");
            for (Target t : targets) {
                b.append("| ").append(t.name()).append(" | ").append(t.asked()).append(" | ").append(t.measured()).append(" | ")
                        .append(t.met() == null ? "n/a" : t.met() ? "**met**" : "**missed**").append(t.detail().isEmpty() ? "" : " — " + t.detail()).append(" |\n");
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
                        f0(a.rps()), f0(a.rpsMin()), f0(a.rpsMax()), f0(a.p50us()), f0(a.p99us()), f2(a.cpuUs()), f2(a.userUs()), f2(a.kernelUs()),
                        f2(a.runtimeUs()), f0(a.serverCpuPct()), f0(a.loadCpuPct()), f2(a.syscalls()), f1(a.alloc()), a.errors()));
            }
            b.append('\n');
            List<String> floors = new ArrayList<>();
            for (Map.Entry<String, Agg> e : m.entrySet()) {
                if (!e.getKey().startsWith("edgepoll-")) continue;
                Agg c = m.get(CFloor.peerOf(e.getKey()));
                if (c == null) continue;
                Agg a = e.getValue();
                floors.add(String.format(Locale.ROOT, "%s ÷ %s %.2f× (user %.2f×, kernel %.2f×)", e.getKey(), CFloor.peerOf(e.getKey()),
                        a.cpuUs() / c.cpuUs(), a.userUs() / c.userUs(), a.kernelUs() / c.kernelUs()));
            }
            if (!floors.isEmpty()) {
                b.append("edgepoll over the C floor of the same drain policy (CPU per request): ").append(String.join("; ", floors)).append(".\n\n");
            }
            List<String> above = new ArrayList<>();
            for (String server : m.keySet()) {
                Map<Integer, Double> d = report.userAboveFloor(w.name(), server);
                if (!d.isEmpty()) {
                    above.add(String.format(Locale.ROOT, "%s %s (over %s)", server, f2(Report.median(d.values())), CFloor.sameSyscalls(server)));
                }
            }
            if (above.size() > 1) {
                b.append("User time above the C floor making the same syscalls (µs per request, median of the repetitions' differences): ")
                        .append(String.join("; ", above)).append(".\n\n");
            }
            Agg et = m.get("edgepoll-et");
            if (et != null) {
                b.append("edgepoll-et relative to each (req/s ratio, CPU per request ratio): ");
                List<String> parts = new ArrayList<>();
                for (Map.Entry<String, Agg> e : m.entrySet()) {
                    if (e.getKey().equals("edgepoll-et")) continue;
                    parts.add(String.format(Locale.ROOT, "%s %.2f× / %.2f×", e.getKey(), et.rps() / e.getValue().rps(), et.cpuUs() / e.getValue().cpuUs()));
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
}
