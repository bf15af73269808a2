package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side harness behind {@code scripts/bench-compare}: every server of {@link Servers} up at
 * once, each warmed up, then the measured time cut into short windows (one server under one workload
 * each, server pinned to one CPU and load to the other) in randomized blocks: every block holds each
 * server once under each workload, the workloads and, within each, the servers in an order drawn
 * from the run's seed, so each comparison is made between neighbouring windows (issue 22). Then
 * separate short runs per server under {@code perf stat} (syscall tracepoints) and {@code strace -c}
 * for syscall counts. Writes {@code report.md}, {@code results.json} and the charts into the output
 * directory; {@code --repeat N} does all of it N times and compares the verdicts ({@link Repeat}).
 */
public final class Compare {
    private Compare() {}

    /**
     * One measured window of one server under one workload, in block {@code block} (-1: warm-up).
     * {@code cpuUsPerRequest} is the server's exact run time (every thread's schedstat) over the
     * window's requests; {@code userUsPerRequest} and {@code kernelUsPerRequest} divide it in the
     * proportion of the process's utime and stime ticks in the window; {@code runtimeUsPerRequest} is
     * the user time (ticks) of the JVM's compiler, GC and VM threads (0 for C and nginx).
     * {@code stealServerPct}/{@code stealLoadPct} are the host's steal on each CPU, {@code dropped} why
     * {@link WindowRule} dropped the window, null when it was kept.
     */
    record Run(String server, String workload, int block, Workloads.Measurement m, double cpuUsPerRequest,
               double userUsPerRequest, double kernelUsPerRequest, double serverCpuPercent, double loadCpuPercent,
               double otherOnServerCpuPercent, Map<String, Double> syscallsPerRequest, double allocBytesPerRequest,
               double runtimeUsPerRequest, double stealServerPct, double stealLoadPct, String dropped) {
        boolean kept() {
            return dropped == null;
        }

        Run withSyscalls(Map<String, Double> sys) {
            return new Run(server, workload, block, m, cpuUsPerRequest, userUsPerRequest, kernelUsPerRequest, serverCpuPercent,
                    loadCpuPercent, otherOnServerCpuPercent, sys, Double.NaN, runtimeUsPerRequest, stealServerPct, stealLoadPct, dropped);
        }
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(Cli.usage());
            return;
        }
        Config cfg;
        try {
            cfg = Cli.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-compare: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (cfg.repeat() > 1) {
            Repeat.run(cfg);
        } else {
            run(cfg);
        }
        System.exit(0);
    }

    /** One whole comparison: its report, written. */
    static Report run(Config cfg) throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(cfg.out());
        Path work = Files.createDirectories(cfg.out().resolve("logs"));
        Progress progress = new Progress(estimateSeconds(cfg));
        SplittableRandom order = new SplittableRandom(cfg.seed());
        List<Run> runs = new ArrayList<>();
        Map<String, Map<String, Long>> strace = new LinkedHashMap<>();
        Map<String, Long> straceRequests = new LinkedHashMap<>();
        Map<String, Map<String, Long>> perf = new LinkedHashMap<>();
        Map<String, Long> perfRequests = new LinkedHashMap<>();
        for (String protocol : List.of("http", "echo")) {
            List<Workloads.Workload> loads = cfg.workloads().stream().filter(w -> w.protocol().equals(protocol)).toList();
            List<Servers.Spec> specs = cfg.servers().stream().filter(s -> protocol.equals("http") || s.echo()).toList();
            if (loads.isEmpty() || specs.isEmpty()) continue;
            List<Servers.Running> running = new ArrayList<>();
            try {
                for (Servers.Spec s : specs) running.add(Servers.start(s, protocol, cfg, work.resolve(s.name() + "-" + protocol)));
                for (Servers.Running r : running) {
                    if (cfg.warmupS() <= 0) break;
                    progress.step(r.spec.name() + " warm-up, " + protocol);
                    warmUp(r, loads, cfg);
                }
                for (int block = 0; block < cfg.blocks(); block++) {
                    for (Workloads.Workload w : shuffled(loads, order)) {
                        progress.step(w.label() + ", block " + (block + 1) + "/" + cfg.blocks() + ": " + running.size() + " windows");
                        for (Servers.Running r : shuffled(running, order)) runs.add(measure(r.spec, w, r, block, cfg.durationS(), cfg, r.dir));
                    }
                }
                if (protocol.equals("http") && cfg.perf() != null) {
                    for (Servers.Running r : running) {
                        progress.step(r.spec.name() + " perf stat (syscall tracepoints)");
                        perfRun(r, cfg, perf, perfRequests);
                    }
                }
                if (protocol.equals("http") && cfg.strace() != null) {
                    for (Servers.Running r : running) {
                        progress.step(r.spec.name() + " strace -c");
                        straceRun(r, cfg, strace, straceRequests);
                    }
                }
            } finally {
                for (Servers.Running r : running) r.close();
            }
            if (protocol.equals("echo")) {  // edgepoll wrote --stats-json as it stopped
                for (int i = 0; i < runs.size(); i++) {
                    Run run = runs.get(i);
                    if (run.workload().startsWith("echo") && run.server().startsWith("edgepoll")) {
                        runs.set(i, withEchoCounters(run, work.resolve(run.server() + "-echo")));
                    }
                }
            }
        }
        Report report = new Report(cfg, runs, strace, straceRequests, perf, perfRequests, (System.nanoTime() - start) / 1e9);
        report.write();
        progress.done();
        System.out.println("bench-compare: report " + cfg.out().resolve("report.md"));
        return report;
    }

    /** A copy of {@code xs} in an order drawn from {@code rnd} (Fisher–Yates). */
    static <T> List<T> shuffled(List<T> xs, SplittableRandom rnd) {
        List<T> c = new ArrayList<>(xs);
        for (int i = c.size() - 1; i > 0; i--) Collections.swap(c, i, rnd.nextInt(i + 1));
        return c;
    }

    /**
     * The measurements' whole life cycle, untimed, before any of them: every workload once (connections
     * opened and closed), with edgepoll's stats polled at the same points as in {@link #measure}. The
     * JIT compiles a server's hot loop with the paths warm-up never took (connection close, EOF, the
     * stats request, a timer expiring) cut off as uncommon traps; the first time one is taken the
     * compiled loop is thrown away, and the loop runs in C1 code while C2 recompiles it on the same
     * pinned CPU. Warm-up with only a steady c=64 load left that to the first measured windows
     * (bench/results/2026-11-23T01-00-56: p99 at c=16 5,350, 1,250, 341 µs in repetitions 1 to 3 for
     * edgepoll-et; docs/performance.md, "The tail"). A last run of the first workload gives the
     * recompilations the load they need to finish. A --quick run, whose figures decide nothing, warms
     * each server up with its first workload alone, for --warmup seconds.
     */
    private static void warmUp(Servers.Running r, List<Workloads.Workload> loads, Config cfg) throws Exception {
        if (cfg.quick()) {
            measure(r.spec, loads.get(0), r, -1, cfg.warmupS(), cfg, r.dir);
            return;
        }
        double each = Math.max(1, Math.floor(cfg.warmupS() / (loads.size() + 1)));
        for (Workloads.Workload w : loads) measure(r.spec, w, r, -1, each, cfg, r.dir);
        measure(r.spec, loads.get(0), r, -1, Math.max(1, cfg.warmupS() - each * loads.size()), cfg, r.dir);
    }

    private static Run measure(Servers.Spec s, Workloads.Workload w, Servers.Running r, int block, double seconds, Config cfg, Path dir)
            throws Exception {
        boolean counters = s.family().equals("edgepoll") && w.protocol().equals("http");
        Probes.EdgepollStats a = counters ? Probes.EdgepollStats.fetch(cfg.load().host(), r.port) : null;
        Probes.CpuTimes cpu0 = Probes.CpuTimes.read();
        long wall0 = System.nanoTime(), ns0 = r.runNanos();
        long[] t0 = r.cpuTicks();
        long rt0 = r.runtimeTicks();
        CompletableFuture<Workloads.Measurement> load = CompletableFuture.supplyAsync(() -> {
            try {
                return Workloads.run(w, r.port, seconds, cfg, dir);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        double alloc = counters ? steadyStateAllocation(cfg.load().host(), r.port, seconds) : Double.NaN;
        Workloads.Measurement m;
        try {
            m = load.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
        long ns1 = r.runNanos(), wall1 = System.nanoTime();
        long[] t1 = r.cpuTicks();
        long rt1 = r.runtimeTicks();
        Probes.CpuTimes cpu1 = Probes.CpuTimes.read();
        long requests = Math.max(1, m.requests());
        double cpuUs = (ns1 - ns0) / 1e3 / requests;
        long user = t1[0] - t0[0], kernel = t1[1] - t0[1];
        double userShare = user + kernel > 0 ? (double) user / (user + kernel) : Double.NaN;
        double serverPct = 100.0 * (ns1 - ns0) / (wall1 - wall0);
        double loadPct = cpu1.busyPercent(cpu0, cfg.loadCpu());
        // the server CPU's busy time that was not the server's: other processes on a shared machine
        double otherPct = Math.max(0, cpu1.busyPercent(cpu0, cfg.serverCpu()) - serverPct);
        double stealServer = cpu1.stealPercent(cpu0, cfg.serverCpu()), stealLoad = cpu1.stealPercent(cpu0, cfg.loadCpu());
        Map<String, Double> sys = Map.of();
        if (counters) {
            Probes.EdgepollStats b = Probes.EdgepollStats.fetch(cfg.load().host(), r.port);
            sys = b.perRequest(a, b.requests() - a.requests());
        }
        String dropped = block < 0 ? null : WindowRule.dropReason(stealServer, stealLoad, otherPct);
        return new Run(s.name(), w.name(), block, m, cpuUs, cpuUs * userShare, cpuUs * (1 - userShare), serverPct, loadPct, otherPct,
                sys, alloc, Math.max(0, rt1 - rt0) * 1e6 / Cli.clockTicks() / requests, stealServer, stealLoad, dropped);
    }

    /**
     * Loop-thread bytes allocated per request in steady state: between a quarter and three quarters
     * of the run, so the load's connection set-up and tear-down (a Connection object and its timer
     * entry each: per connection, not per request) stay outside. The stats request allocates itself
     * (it builds JSON on the loop): a third call right after the second measures one, which is
     * taken off.
     */
    private static double steadyStateAllocation(String host, int port, double durationS) throws Exception {
        Thread.sleep((long) (durationS * 250));
        Probes.EdgepollStats a = Probes.EdgepollStats.fetch(host, port);
        Thread.sleep((long) (durationS * 500));
        Probes.EdgepollStats b = Probes.EdgepollStats.fetch(host, port);
        Probes.EdgepollStats c = Probes.EdgepollStats.fetch(host, port);
        long requests = b.requests() - a.requests();
        long statsCost = c.allocatedBytes() - b.allocatedBytes();
        return requests <= 0 ? Double.NaN : (double) (b.allocatedBytes() - a.allocatedBytes() - statsCost) / requests;
    }

    /** Echo has no stats endpoint: the counters come from --stats-json, written at exit, per message. */
    private static Run withEchoCounters(Run run, Path dir) throws IOException {
        Path f = dir.resolve("stats.json");
        if (!Files.exists(f)) return run;
        String json = Files.readString(f);
        Probes.EdgepollStats st = Probes.EdgepollStats.parse(json);
        long messages = Probes.EdgepollStats.bytesIn(json) / Workloads.ECHO_MESSAGE;
        return run.withSyscalls(st.perRequest(new Probes.EdgepollStats(0, 0, Map.of()), Math.max(1, messages)));
    }

    /** strace -c -f on the whole (running, warm) server process during a short wrk run, keep-alive c=64. */
    private static void straceRun(Servers.Running r, Config cfg, Map<String, Map<String, Long>> out,
                                  Map<String, Long> requestsOut) throws Exception {
        Path summary = r.dir.resolve("strace-c.txt");
        Process strace = new ProcessBuilder(cfg.strace(), "-c", "-f", "-p", String.valueOf(r.pid()), "-o", summary.toString())
                .redirectErrorStream(true).redirectOutput(r.dir.resolve("strace-stderr.txt").toFile()).start();
        Thread.sleep(500);  // attaching to every thread of a JVM takes a moment
        Workloads.Measurement m = Workloads.run(Workloads.byName("http-c64"), r.port, cfg.straceS(), cfg, r.dir);
        strace.destroy();  // SIGTERM: strace detaches and writes the summary
        if (!strace.waitFor(10, TimeUnit.SECONDS)) strace.destroyForcibly();
        if (Files.exists(summary)) {
            out.put(r.spec.name(), Probes.parseStraceSummary(Files.readString(summary)));
            requestsOut.put(r.spec.name(), m.requests());
        }
    }

    /** perf stat on the syscall tracepoints of the server process during a short wrk run (its window holds wrk's). */
    private static void perfRun(Servers.Running r, Config cfg, Map<String, Map<String, Long>> out,
                                Map<String, Long> requestsOut) throws Exception {
        Path counts = r.dir.resolve("perf-stat.txt");
        Process perf = PerfCount.start(cfg.perf(), r.pid(), counts);
        Thread.sleep(300);
        Workloads.Measurement m = Workloads.run(Workloads.byName("http-c64"), r.port, cfg.straceS(), cfg, r.dir);
        PerfCount.stop(perf);
        if (Files.exists(counts)) {
            Map<String, Long> calls = PerfCount.parse(Files.readString(counts));
            if (!calls.isEmpty()) {
                out.put(r.spec.name(), calls);
                requestsOut.put(r.spec.name(), m.requests());
            }
        }
    }

    /**
     * The plan: start-up, warm-up, the windows (each a load process: wrk and rateload start in
     * milliseconds and connect in tens; edgepoll's load, for echo, is a JVM), the perf and strace runs;
     * times one per --repeat.
     */
    static double estimateSeconds(Config cfg) {
        double total = 0;
        for (String protocol : List.of("http", "echo")) {
            long loads = cfg.workloads().stream().filter(w -> w.protocol().equals(protocol)).count();
            long closedEcho = cfg.workloads().stream().filter(w -> w.protocol().equals(protocol) && protocol.equals("echo") && w.rate() == 0).count();
            long servers = cfg.servers().stream().filter(s -> protocol.equals("http") || s.echo()).count();
            if (loads == 0 || servers == 0) continue;
            double window = cfg.durationS() + WINDOW_OVERHEAD_S;
            double perBlock = servers * (loads * window + closedEcho * JVM_LOAD_S);
            double warm = cfg.quick() ? cfg.warmupS() + WINDOW_OVERHEAD_S + closedEcho * JVM_LOAD_S
                    : Math.max(cfg.warmupS(), loads + 1.0) + (loads + 1) * WINDOW_OVERHEAD_S + closedEcho * 2 * JVM_LOAD_S;
            total += 1 + servers * START_S + servers * (cfg.warmupS() > 0 ? warm : 0) + cfg.blocks() * perBlock;
            if (protocol.equals("http") && cfg.strace() != null) total += servers * (cfg.straceS() + 1.5);
            if (protocol.equals("http") && cfg.perf() != null) total += servers * (cfg.straceS() + 0.5);
        }
        return total;
    }

    /**
     * Measured on the 2-vCPU VM, shared with other builds (load average 4–10; --targets-only logs, 2026-12-04):
     * what a window adds to its --duration (closed-loop blocks of 11 windows took 11–13 s), a server's start,
     * a JVM load's start.
     */
    static final double WINDOW_OVERHEAD_S = 0.15, START_S = 1.0, JVM_LOAD_S = 1.0;

    /** The progress line: step, elapsed, ETA (from the plan, corrected by the pace so far). */
    static final class Progress {
        private final double plannedS;
        private final long start = System.nanoTime();

        Progress(double plannedS) {
            this.plannedS = plannedS;
            System.err.printf(Locale.ROOT, "bench-compare: about %s planned%n", mmss(plannedS));
        }

        void step(String what) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = Math.max(0, plannedS - elapsed);
            System.err.printf(Locale.ROOT, "[%s elapsed, ETA %s] %s%n", mmss(elapsed), mmss(eta), what);
        }

        void done() {
            System.err.printf(Locale.ROOT, "bench-compare: done in %s%n", mmss((System.nanoTime() - start) / 1e9));
        }

        static String mmss(double s) {
            long t = Math.round(s);
            return String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
        }
    }

    static String timestamp() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss"));
    }
}
