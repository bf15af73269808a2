package edgepoll.bench.compare;

import edgepoll.config.Flags;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The harness's flags, and the tools it finds on the PATH. A bad flag: one line, exit 2. */
final class Cli {
    private Cli() {}

    static final String USAGE = """
            usage: bench-compare [--quick | --targets-only] [--repeat N] [--out DIR] [--servers a,b,...] [--workloads a,b,...]
                                 [--blocks N] [--duration S] [--warmup S] [--seed N] [--keep-disturbed]
                                 [--strace-duration S] [--no-strace]
                                 [--server-cpu N] [--load-cpu N] [--edgepoll-jar JAR] [--bench-jar JAR]
                                 [--link SPEC | --host ADDR [--load-netns NS --link-description TEXT]]
              servers:   %s
              workloads: %s
              Every server starts at once; after its warm-up the measured time is cut into windows of --duration s
              in blocks: each block holds each server once under each workload, in a shuffled order (--seed).
              Each ratio gets a 95%% bootstrap interval over the blocks and a verdict (cheaper / no detectable
              difference / dearer); edgepoll-et-bis and c-et-bis are second copies for the A/A calibration.
              default:        every server and workload, %d blocks of 1 s windows, 5 s of warm-up per server
              --quick:        every server and workload, %d blocks, 1 s of warm-up on the first workload alone, no perf
                              stat run: intervals far wider, no verdicts
              --targets-only: the workloads and servers issue 22's targets name (%s;
                              %s), %d blocks, no strace/perf runs
              --repeat N:     the whole comparison N times back to back (DIR/run-1 ...), then DIR/repeat.md:
                              every verdict of every run and whether they agree
              --keep-disturbed: keep the windows the drop rule (host steal, other processes on the server CPU)
                              would drop, flagged: a smoke run on a shared machine; never a committed run
              --link SPEC:    (scripts/bench-compare) the servers in one network namespace, the load in another,
                              over a veth pair of their own (scripts/lib/linklab.sh; SPEC e.g. mtu=1500,rate=1gbit,offloads=on);
                              the script makes the link and runs the harness with the three options below
              --host ADDR:    the servers listen on ADDR (numeric IPv4, an address of this host's, or of the harness's
                              namespace) instead of 127.0.0.1, and the load targets it
              --load-netns NS: every load process runs in network namespace NS (/run/netns/NS; needs --host)
              --link-description TEXT: the link between the two, for the report (needs --load-netns)
              The run for the targets: scripts/bench-compare --targets-only --repeat 2""";

    static final int BLOCKS = 8, QUICK_BLOCKS = 2, TARGET_BLOCKS = 16;

    /** The servers issue 22's targets compare, the A/A twins included. */
    static final List<String> TARGET_SERVERS = List.of("edgepoll-et", "edgepoll-et-bis", "edgepoll-et-short-read", "edgepoll-lt",
            "c-et", "c-et-bis", "c-et-short-read", "c-lt", "netty-et", "edgepoll-uring", "netty-uring");
    /** The workloads they name: keep-alive c=64, the fixed rate, pipelined 16. */
    static final List<String> TARGET_WORKLOADS = List.of("http-c64", "http-rate-c64", "http-pipe16-c16");

    static Config parse(String[] args) {
        boolean quick = false, targetsOnly = false, noStrace = false, keepDisturbed = false;
        String out = null, servers = null, workloads = null, edgepollJar = null, benchJar = null;
        String host = LoadSide.LOOPBACK, loadNetns = null, linkDescription = null;
        Integer blocks = null;
        int repeat = 1;
        Long seed = null;
        Double duration = null, warmup = null, straceS = null;
        int serverCpu = 0, loadCpu = 1;
        Flags f = new Flags(args);
        while (f.hasNext()) {
            String a = f.next();
            switch (a) {
                case "--quick" -> quick = true;
                case "--targets-only" -> targetsOnly = true;
                case "--keep-disturbed" -> keepDisturbed = true;
                case "--repeat" -> repeat = f.intValue(1, 10);
                case "--seed" -> seed = (long) f.intValue(0, Integer.MAX_VALUE);
                case "--no-strace" -> noStrace = true;
                case "--out" -> out = f.value();
                case "--servers" -> servers = f.value();
                case "--workloads" -> workloads = f.value();
                case "--blocks" -> blocks = f.intValue(1, 1000);
                case "--duration" -> duration = seconds(a, f.value(), 1);
                case "--warmup" -> warmup = seconds(a, f.value(), 0);
                case "--strace-duration" -> straceS = seconds(a, f.value(), 1);
                case "--server-cpu" -> serverCpu = f.intValue(0, 4095);
                case "--load-cpu" -> loadCpu = f.intValue(0, 4095);
                case "--edgepoll-jar" -> edgepollJar = f.value();
                case "--bench-jar" -> benchJar = f.value();
                case "--host" -> host = ipv4(f.value());
                case "--load-netns" -> loadNetns = f.value();
                case "--link-description" -> linkDescription = f.value();
                case "--link" -> throw new IllegalArgumentException("--link is scripts/bench-compare's: it makes the link, then runs the harness "
                        + "with --host, --load-netns and --link-description");
                default -> throw new IllegalArgumentException("unknown option: " + a + " (--help lists them)");
            }
        }
        if (loadNetns != null) {
            if (host.equals(LoadSide.LOOPBACK)) throw new IllegalArgumentException("--load-netns needs --host: the load namespace's loopback has no server");
            if (!loadNetns.matches("[A-Za-z0-9_.-]+") || !Files.exists(Path.of("/run/netns", loadNetns))) {
                throw new IllegalArgumentException("--load-netns: no network namespace " + loadNetns + " (ip netns list)");
            }
        }
        if (linkDescription != null && loadNetns == null) throw new IllegalArgumentException("--link-description needs --load-netns");
        if (quick && targetsOnly) throw new IllegalArgumentException("--quick and --targets-only are two presets: pick one");
        if (targetsOnly) {
            if (servers == null) servers = String.join(",", TARGET_SERVERS);
            if (workloads == null) workloads = String.join(",", TARGET_WORKLOADS);
            noStrace = true;
        }
        List<String> notes = new ArrayList<>();
        List<Servers.Spec> specs = new ArrayList<>();
        for (String n : (servers == null ? Servers.names() : servers).split(",")) specs.add(Servers.byName(n.trim()));
        List<Workloads.Workload> loads = new ArrayList<>();
        if (workloads == null) loads.addAll(Workloads.ALL);
        else for (String n : workloads.split(",")) loads.add(Workloads.byName(n.trim()));

        String wrk = onPath("wrk");
        if (wrk == null) throw new IllegalArgumentException("wrk is not installed (apt-get install wrk; scripts/bench-compare installs it)");
        String nginx = onPath("nginx");
        if (nginx == null && specs.removeIf(s -> s.family().equals("nginx"))) {
            notes.add("nginx is not installed (apt-get install nginx-light): left out");
        }
        Path cfloor = null;
        if (specs.stream().anyMatch(s -> s.family().equals("c"))) {
            Path dir = (benchJar != null ? Path.of(benchJar) : selfJar()).toAbsolutePath().resolveSibling("cfloor");
            try {
                cfloor = CFloor.build(dir);
            } catch (Exception e) {
                specs.removeIf(s -> s.family().equals("c"));
                notes.add("the C floor peers were left out: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        Path rateload = null;
        if (loads.stream().anyMatch(w -> w.rate() > 0)) {
            Path dir = (benchJar != null ? Path.of(benchJar) : selfJar()).toAbsolutePath().resolveSibling("cfloor");
            try {
                rateload = CFloor.compile(dir, "rateload");
            } catch (Exception e) {
                loads.removeIf(w -> w.rate() > 0);
                notes.add("the fixed-rate workloads were left out: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        if (specs.stream().anyMatch(s -> s.name().contains("uring"))) {
            try {
                edgepoll.uring.UringLoop.checkAvailable();
            } catch (edgepoll.sys.SyscallException e) {
                specs.removeIf(s -> s.name().contains("uring"));
                notes.add("edgepoll-uring, edgepoll-uring-sqpoll and netty-uring left out: " + e.getMessage());
            }
        }
        String strace = noStrace ? null : onPath("strace");
        if (strace == null) notes.add(targetsOnly ? "no strace or perf runs (--targets-only)"
                : noStrace ? "strace runs skipped (--no-strace)" : "strace is not installed: no strace -c column");
        String perf = noStrace || quick ? null : PerfCount.usable();
        if (quick) notes.add("no perf stat run (--quick): syscall counts from strace -c only");
        if (perf == null && !noStrace && !quick) notes.add("perf cannot count the syscall tracepoints here (linux-perf missing or no tracefs): no unperturbed syscall counts for the peers");
        if (specs.isEmpty()) throw new IllegalArgumentException("no server left to run");

        List<String> pinServer = List.of(), pinLoad = new ArrayList<>();
        if (loadNetns != null) {  // nsenter, not ip netns exec: it leaves the mounts (/sys, tracefs) alone and execs
            String nsenter = onPath("nsenter");
            if (nsenter == null) throw new IllegalArgumentException("--load-netns needs nsenter (util-linux)");
            pinLoad.addAll(List.of(nsenter, "--net=/run/netns/" + loadNetns));
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        String taskset = onPath("taskset");
        if (taskset != null && cpus > Math.max(serverCpu, loadCpu) && serverCpu != loadCpu) {
            pinServer = List.of(taskset, "-c", String.valueOf(serverCpu));
            pinLoad.addAll(List.of(taskset, "-c", String.valueOf(loadCpu)));
        } else {
            notes.add("not pinned (taskset " + (taskset == null ? "missing" : "present") + ", " + cpus + " CPUs): server and load share CPUs");
            serverCpu = loadCpu = -1;
        }

        Path self = selfJar();
        Path bench = benchJar != null ? Path.of(benchJar) : self;
        Path edgepoll = edgepollJar != null ? Path.of(edgepollJar) : bench.resolveSibling("../../server/target/edgepoll.jar").normalize();
        if (!Files.isRegularFile(edgepoll)) throw new IllegalArgumentException("no edgepoll jar at " + edgepoll + " (build it, or pass --edgepoll-jar)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The same flags for every JVM server: a fixed heap (no resizing during the run) and native access.
        List<String> jvm = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m");

        Path uringPeer = bench.toAbsolutePath().getParent().getParent().getParent().resolve("bench-uring/target/netty-uring-peer.jar");
        if (!Files.isRegularFile(uringPeer) && specs.removeIf(s -> s.name().equals("netty-uring"))) {
            notes.add("netty-uring left out: no " + uringPeer + " (mvn -pl bench-uring -am package builds it)");
        }
        Path outDir = out != null ? Path.of(out) : Path.of("bench", "results", Compare.timestamp());
        return new Config(List.copyOf(specs), List.copyOf(loads), blocks != null ? blocks : quick ? QUICK_BLOCKS : targetsOnly ? TARGET_BLOCKS : BLOCKS,
                warmup != null ? warmup : quick ? 1 : 5, duration != null ? duration : 1,
                straceS != null ? straceS : quick ? 1 : 2, serverCpu, loadCpu, pinServer, new LoadSide(List.copyOf(pinLoad), host, linkDescription), jvm,
                edgepoll.toAbsolutePath(), bench.toAbsolutePath(), nginx, wrk, strace, perf, cfloor, rateload, outDir.toAbsolutePath(), quick,
                targetsOnly, repeat, seed != null ? seed : System.nanoTime() & Integer.MAX_VALUE, keepDisturbed, notes);
    }

    static String usage() {
        return USAGE.formatted(Servers.names(), String.join(",", Workloads.ALL.stream().map(Workloads.Workload::name).toList()),
                BLOCKS, QUICK_BLOCKS, String.join(",", TARGET_WORKLOADS), String.join(",", TARGET_SERVERS), TARGET_BLOCKS);
    }

    /** A numeric IPv4 address (what rateload and the C floor take), else a bad flag. */
    static String ipv4(String v) {
        String[] parts = v.split("\\.", -1);
        boolean ok = parts.length == 4;
        for (String p : parts) ok &= p.matches("\\d{1,3}") && Integer.parseInt(p) <= 255;
        if (!ok) throw new IllegalArgumentException("--host wants a numeric IPv4 address, got " + v);
        return v;
    }

    /** Whole seconds: wrk's -d takes no fractions. */
    static double seconds(String flag, String v, int min) {
        double d = number(flag, v, min, 3600);
        if (d != Math.rint(d)) throw new IllegalArgumentException(flag + " takes whole seconds, got " + v);
        return d;
    }

    static double number(String flag, String v, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(v.endsWith("s") ? v.substring(0, v.length() - 1) : v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " wants a number, got " + v);
        }
        if (d < min || d > max) throw new IllegalArgumentException(flag + " must be in [" + min + ", " + max + "], got " + v);
        return d;
    }

    static String onPath(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            for (String d : Arrays.asList(dir, "/usr/sbin", "/sbin")) {
                Path p = Path.of(d, cmd);
                if (Files.isExecutable(p)) return p.toString();
            }
        }
        return null;
    }

    private static Path selfJar() {
        try {
            return Path.of(Compare.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate benchmarks.jar", e);
        }
    }

    private static long clockTicks = -1;

    /** USER_HZ, the unit of /proc/PID/stat times (getconf CLK_TCK; 100 on Linux x86_64). */
    static synchronized long clockTicks() {
        if (clockTicks < 0) {
            try {
                clockTicks = Long.parseLong(Workloads.exec(List.of("getconf", "CLK_TCK"), 10).trim());
            } catch (Exception e) {
                clockTicks = 100;
            }
        }
        return clockTicks;
    }
}
