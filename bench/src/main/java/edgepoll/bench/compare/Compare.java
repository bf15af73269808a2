package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side harness behind {@code scripts/bench-compare}: every server of {@link Servers}
 * under every workload of {@link Workloads}, one at a time, server pinned to one CPU and load to the
 * other, repeated with the servers' order rotated each repetition (so drift on a shared machine
 * falls on all of them), then a separate short {@code strace -c} run per server for syscall counts.
 * Writes {@code report.md}, {@code results.json} and the charts into the output directory.
 */
public final class Compare {
    private Compare() {}

    /** One measured run of one server under one workload. */
    record Run(String server, String workload, int rep, Workloads.Measurement m, double cpuUsPerRequest,
               double serverCpuPercent, double loadCpuPercent, Map<String, Double> syscallsPerRequest,
               double allocBytesPerRequest) {}

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
        System.exit(run(cfg));
    }

    static int run(Config cfg) throws Exception {
        Files.createDirectories(cfg.out());
        Path work = Files.createDirectories(cfg.out().resolve("logs"));
        Progress progress = new Progress(estimateSeconds(cfg));
        List<Run> runs = new ArrayList<>();
        List<Servers.Spec> order = new ArrayList<>(cfg.servers());
        for (int rep = 0; rep < cfg.reps(); rep++) {
            for (int k = 0; k < order.size(); k++) {
                Servers.Spec s = order.get((k + rep) % order.size());
                runs.addAll(measureServer(s, rep, cfg, work, progress));
            }
        }
        Map<String, Map<String, Long>> strace = new LinkedHashMap<>();
        Map<String, Long> straceRequests = new LinkedHashMap<>();
        if (cfg.strace() != null) {
            for (Servers.Spec s : cfg.servers()) {
                progress.step(s.name() + " strace -c");
                straceRun(s, cfg, work, strace, straceRequests);
            }
        }
        Report report = new Report(cfg, runs, strace, straceRequests);
        report.write();
        progress.done();
        System.out.println("bench-compare: report " + cfg.out().resolve("report.md"));
        return 0;
    }

    private static List<Run> measureServer(Servers.Spec s, int rep, Config cfg, Path work, Progress progress) throws Exception {
        List<Run> runs = new ArrayList<>();
        List<Workloads.Workload> http = cfg.workloads().stream().filter(w -> w.protocol().equals("http")).toList();
        List<Workloads.Workload> echo = cfg.workloads().stream().filter(w -> w.protocol().equals("echo") && s.echo()).toList();
        Path dir = work.resolve(s.name() + "-rep" + (rep + 1));
        if (!http.isEmpty()) {
            try (Servers.Running r = Servers.start(s, "http", cfg, dir)) {
                progress.step(s.name() + " warm-up (rep " + (rep + 1) + ")");
                warmUp(Workloads.byName("http-c64"), r, cfg.warmupS(), cfg, dir);
                for (Workloads.Workload w : http) {
                    progress.step(s.name() + " " + w.label() + " (rep " + (rep + 1) + "/" + cfg.reps() + ")");
                    runs.add(measure(s, w, r, rep, cfg, dir));
                }
            }
        }
        for (Workloads.Workload w : echo) {
            Path edir = dir.resolve(w.name());
            try (Servers.Running r = Servers.start(s, "echo", cfg, edir)) {
                progress.step(s.name() + " " + w.label() + " (rep " + (rep + 1) + "/" + cfg.reps() + ")");
                warmUp(w, r, cfg.warmupS(), cfg, edir);
                Run run = measure(s, w, r, rep, cfg, edir);
                r.close();
                runs.add(s.family().equals("edgepoll") ? withEchoCounters(run, edir) : run);
            }
        }
        return runs;
    }

    /** Load before measuring, so the JIT has compiled the server's hot path (JVM servers) and connections exist. */
    private static void warmUp(Workloads.Workload w, Servers.Running r, double seconds, Config cfg, Path dir) throws Exception {
        if (seconds > 0) Workloads.run(w, r.port, seconds, cfg, dir);
    }

    private static Run measure(Servers.Spec s, Workloads.Workload w, Servers.Running r, int rep, Config cfg, Path dir) throws Exception {
        boolean counters = s.family().equals("edgepoll") && w.protocol().equals("http");
        Probes.EdgepollStats a = counters ? Probes.EdgepollStats.fetch(r.port) : null;
        Probes.CpuTimes cpu0 = Probes.CpuTimes.read();
        long t0 = r.cpuTicks();
        CompletableFuture<Workloads.Measurement> load = CompletableFuture.supplyAsync(() -> {
            try {
                return Workloads.run(w, r.port, cfg.durationS(), cfg, dir);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        double alloc = counters ? steadyStateAllocation(r.port, cfg.durationS()) : Double.NaN;
        Workloads.Measurement m;
        try {
            m = load.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
        long t1 = r.cpuTicks();
        Probes.CpuTimes cpu1 = Probes.CpuTimes.read();
        double cpuUs = (t1 - t0) * 1e6 / Cli.clockTicks() / Math.max(1, m.requests());
        double serverPct = (t1 - t0) * 100.0 / Cli.clockTicks() / m.seconds();
        double loadPct = cpu1.busyPercent(cpu0, cfg.loadCpu());
        Map<String, Double> sys = Map.of();
        if (counters) {
            Probes.EdgepollStats b = Probes.EdgepollStats.fetch(r.port);
            sys = b.perRequest(a, b.requests() - a.requests());
        }
        return new Run(s.name(), w.name(), rep, m, cpuUs, serverPct, loadPct, sys, alloc);
    }

    /**
     * Loop-thread bytes allocated per request in steady state: between a quarter and three quarters
     * of the run, so the load's connection set-up and tear-down (a Connection object and its timer
     * entry each: per connection, not per request) stay outside. The stats request allocates itself
     * (it builds JSON on the loop): a third call right after the second measures one, which is
     * taken off.
     */
    private static double steadyStateAllocation(int port, double durationS) throws Exception {
        Thread.sleep((long) (durationS * 250));
        Probes.EdgepollStats a = Probes.EdgepollStats.fetch(port);
        Thread.sleep((long) (durationS * 500));
        Probes.EdgepollStats b = Probes.EdgepollStats.fetch(port);
        Probes.EdgepollStats c = Probes.EdgepollStats.fetch(port);
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
        Map<String, Double> sys = st.perRequest(new Probes.EdgepollStats(0, 0, Map.of()), Math.max(1, messages));
        return new Run(run.server(), run.workload(), run.rep(), run.m(), run.cpuUsPerRequest(), run.serverCpuPercent(),
                run.loadCpuPercent(), sys, Double.NaN);
    }

    /** strace -c -f on the whole server process during a short wrk run (keep-alive, 64 connections). */
    private static void straceRun(Servers.Spec s, Config cfg, Path work, Map<String, Map<String, Long>> out,
                                  Map<String, Long> requestsOut) throws Exception {
        Path dir = work.resolve(s.name() + "-strace");
        try (Servers.Running r = Servers.start(s, "http", cfg, dir)) {
            warmUp(Workloads.byName("http-c64"), r, Math.min(1, cfg.warmupS()), cfg, dir);
            Path summary = dir.resolve("strace-c.txt");
            Process strace = new ProcessBuilder(cfg.strace(), "-c", "-f", "-p", String.valueOf(r.pid()), "-o", summary.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("strace-stderr.txt").toFile()).start();
            Thread.sleep(500);  // attaching to every thread of a JVM takes a moment
            Workloads.Measurement m = Workloads.run(Workloads.byName("http-c64"), r.port, cfg.straceS(), cfg, dir);
            strace.destroy();  // SIGTERM: strace detaches and writes the summary
            if (!strace.waitFor(10, TimeUnit.SECONDS)) strace.destroyForcibly();
            if (Files.exists(summary)) {
                out.put(s.name(), Probes.parseStraceSummary(Files.readString(summary)));
                requestsOut.put(s.name(), m.requests());
            }
        }
    }

    static double estimateSeconds(Config cfg) {
        double start = 1.0;
        double perRep = 0;
        for (Servers.Spec s : cfg.servers()) {
            long http = cfg.workloads().stream().filter(w -> w.protocol().equals("http")).count();
            long echo = cfg.workloads().stream().filter(w -> w.protocol().equals("echo") && s.echo()).count();
            if (http > 0) perRep += start + cfg.warmupS() + http * (cfg.durationS() + 0.3);
            perRep += echo * (start + cfg.warmupS() + cfg.durationS() + 1.5);
        }
        double strace = cfg.strace() == null ? 0 : cfg.servers().size() * (start + Math.min(1, cfg.warmupS()) + cfg.straceS() + 1.5);
        return perRep * cfg.reps() + strace;
    }

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
