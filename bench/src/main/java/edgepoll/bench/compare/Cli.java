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

    /** The flags as read, before any is checked against another or against this machine. */
    private static final class Args {
        boolean quick, targetsOnly, noStrace, keepDisturbed;
        String out, servers, workloads, edgepollJar, benchJar, loadNetns, linkDescription;
        String host = LoadSide.LOOPBACK;
        Integer blocks;
        int repeat = 1, serverCpu = 0, loadCpu = 1;
        Long seed;
        Double duration, warmup, straceS;
    }

    static Config parse(String[] args) {
        Args a = read(args);
        check(a);
        List<String> notes = new ArrayList<>();
        List<Servers.Spec> specs = new ArrayList<>();
        for (String n : (a.servers == null ? Servers.names() : a.servers).split(",")) specs.add(Servers.byName(n.trim()));
        List<Workloads.Workload> loads = new ArrayList<>();
        if (a.workloads == null) loads.addAll(Workloads.ALL);
        else for (String n : a.workloads.split(",")) loads.add(Workloads.byName(n.trim()));

        String wrk = onPath("wrk");
        if (wrk == null) throw new IllegalArgumentException("wrk is not installed (apt-get install wrk; scripts/bench-compare installs it)");
        String nginx = onPath("nginx");
        if (nginx == null && specs.removeIf(s -> s.family().equals("nginx"))) {
            notes.add("nginx is not installed (apt-get install nginx-light): left out");
        }
        Path cbuild = (a.benchJar != null ? Path.of(a.benchJar) : selfJar()).toAbsolutePath().resolveSibling("cfloor");
        Path cfloor = buildCFloor(specs, cbuild, notes);
        Path rateload = buildRateload(loads, cbuild, notes);
        leaveOutUring(specs, notes);
        String strace = a.noStrace ? null : onPath("strace");
        if (strace == null) notes.add(a.targetsOnly ? "no strace or perf runs (--targets-only)"
                : a.noStrace ? "strace runs skipped (--no-strace)" : "strace is not installed: no strace -c column");
        String perf = a.noStrace || a.quick ? null : PerfCount.usable();
        if (a.quick) notes.add("no perf stat run (--quick): syscall counts from strace -c only");
        if (perf == null && !a.noStrace && !a.quick) notes.add("perf cannot count the syscall tracepoints here (linux-perf missing or no tracefs): no unperturbed syscall counts for the peers");
        if (specs.isEmpty()) throw new IllegalArgumentException("no server left to run");

        Pins pins = pins(a, notes);
        Path bench = a.benchJar != null ? Path.of(a.benchJar) : selfJar();
        Path edgepoll = a.edgepollJar != null ? Path.of(a.edgepollJar) : bench.resolveSibling("../../server/target/edgepoll.jar").normalize();
        if (!Files.isRegularFile(edgepoll)) throw new IllegalArgumentException("no edgepoll jar at " + edgepoll + " (build it, or pass --edgepoll-jar)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The same flags for every JVM server: a fixed heap (no resizing during the run) and native access.
        List<String> jvm = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m");

        Path uringPeer = bench.toAbsolutePath().getParent().getParent().getParent().resolve("bench-uring/target/netty-uring-peer.jar");
        if (!Files.isRegularFile(uringPeer) && specs.removeIf(s -> s.name().equals("netty-uring"))) {
            notes.add("netty-uring left out: no " + uringPeer + " (mvn -pl bench-uring -am package builds it)");
        }
        Path outDir = a.out != null ? Path.of(a.out) : Path.of("bench", "results", Compare.timestamp());
        return new Config(List.copyOf(specs), List.copyOf(loads), a.blocks != null ? a.blocks : a.quick ? QUICK_BLOCKS : a.targetsOnly ? TARGET_BLOCKS : BLOCKS,
                a.warmup != null ? a.warmup : a.quick ? 1 : 5, a.duration != null ? a.duration : 1,
                a.straceS != null ? a.straceS : a.quick ? 1 : 2, pins.serverCpu, pins.loadCpu, pins.server,
                new LoadSide(List.copyOf(pins.load), a.host, a.linkDescription), jvm,
                edgepoll.toAbsolutePath(), bench.toAbsolutePath(), nginx, wrk, strace, perf, cfloor, rateload, outDir.toAbsolutePath(), a.quick,
                a.targetsOnly, a.repeat, a.seed != null ? a.seed : System.nanoTime() & Integer.MAX_VALUE, a.keepDisturbed, notes);
    }

    private static Args read(String[] args) {
        Args a = new Args();
        Flags f = new Flags(args);
        while (f.hasNext()) {
            String flag = f.next();
            switch (flag) {
                case "--quick" -> a.quick = true;
                case "--targets-only" -> a.targetsOnly = true;
                case "--keep-disturbed" -> a.keepDisturbed = true;
                case "--repeat" -> a.repeat = f.intValue(1, 10);
                case "--seed" -> a.seed = (long) f.intValue(0, Integer.MAX_VALUE);
                case "--no-strace" -> a.noStrace = true;
                case "--out" -> a.out = f.value();
                case "--servers" -> a.servers = f.value();
                case "--workloads" -> a.workloads = f.value();
                case "--blocks" -> a.blocks = f.intValue(1, 1000);
                case "--duration" -> a.duration = seconds(flag, f.value(), 1);
                case "--warmup" -> a.warmup = seconds(flag, f.value(), 0);
                case "--strace-duration" -> a.straceS = seconds(flag, f.value(), 1);
                case "--server-cpu" -> a.serverCpu = f.intValue(0, 4095);
                case "--load-cpu" -> a.loadCpu = f.intValue(0, 4095);
                case "--edgepoll-jar" -> a.edgepollJar = f.value();
                case "--bench-jar" -> a.benchJar = f.value();
                case "--host" -> a.host = ipv4(f.value());
                case "--load-netns" -> a.loadNetns = f.value();
                case "--link-description" -> a.linkDescription = f.value();
                case "--link" -> throw new IllegalArgumentException("--link is scripts/bench-compare's: it makes the link, then runs the harness "
                        + "with --host, --load-netns and --link-description");
                default -> throw new IllegalArgumentException("unknown option: " + flag + " (--help lists them)");
            }
        }
        return a;
    }

    /** Refuses the flags that contradict each other; fills in --targets-only's servers and workloads. */
    private static void check(Args a) {
        if (a.loadNetns != null) {
            if (a.host.equals(LoadSide.LOOPBACK)) throw new IllegalArgumentException("--load-netns needs --host: the load namespace's loopback has no server");
            if (!a.loadNetns.matches("[A-Za-z0-9_.-]+") || !Files.exists(Path.of("/run/netns", a.loadNetns))) {
                throw new IllegalArgumentException("--load-netns: no network namespace " + a.loadNetns + " (ip netns list)");
            }
        }
        if (a.linkDescription != null && a.loadNetns == null) throw new IllegalArgumentException("--link-description needs --load-netns");
        if (a.quick && a.targetsOnly) throw new IllegalArgumentException("--quick and --targets-only are two presets: pick one");
        if (a.targetsOnly) {
            if (a.servers == null) a.servers = String.join(",", TARGET_SERVERS);
            if (a.workloads == null) a.workloads = String.join(",", TARGET_WORKLOADS);
            a.noStrace = true;
        }
    }

    /** The C floor peers' binary, built in {@code dir}; null (and the c-* servers left out, with a note) when no server needs it or it does not build. */
    private static Path buildCFloor(List<Servers.Spec> specs, Path dir, List<String> notes) {
        if (specs.stream().noneMatch(s -> s.family().equals("c"))) return null;
        try {
            return CFloor.build(dir);
        } catch (Exception e) {
            specs.removeIf(s -> s.family().equals("c"));
            notes.add("the C floor peers were left out: " + e.getMessage().lines().findFirst().orElse(""));
            return null;
        }
    }

    /** The fixed-rate load's binary; null (and the fixed-rate workloads left out, with a note) when none is asked for or it does not build. */
    private static Path buildRateload(List<Workloads.Workload> loads, Path dir, List<String> notes) {
        if (loads.stream().noneMatch(w -> w.rate() > 0)) return null;
        try {
            return CFloor.compile(dir, "rateload");
        } catch (Exception e) {
            loads.removeIf(w -> w.rate() > 0);
            notes.add("the fixed-rate workloads were left out: " + e.getMessage().lines().findFirst().orElse(""));
            return null;
        }
    }

    /** Leaves the io_uring servers out, with a note, on a kernel that refuses io_uring. */
    private static void leaveOutUring(List<Servers.Spec> specs, List<String> notes) {
        if (specs.stream().noneMatch(s -> s.name().contains("uring"))) return;
        try {
            edgepoll.uring.UringLoop.checkAvailable();
        } catch (edgepoll.sys.SyscallException e) {
            specs.removeIf(s -> s.name().contains("uring"));
            notes.add("edgepoll-uring, edgepoll-uring-sqpoll and netty-uring left out: " + e.getMessage());
        }
    }

    /** The command prefixes that pin the servers and the load (and put the load in its namespace), and the CPUs; -1: not pinned. */
    private record Pins(List<String> server, List<String> load, int serverCpu, int loadCpu) {}

    private static Pins pins(Args a, List<String> notes) {
        List<String> pinLoad = new ArrayList<>();
        if (a.loadNetns != null) {  // nsenter, not ip netns exec: it leaves the mounts (/sys, tracefs) alone and execs
            String nsenter = onPath("nsenter");
            if (nsenter == null) throw new IllegalArgumentException("--load-netns needs nsenter (util-linux)");
            pinLoad.addAll(List.of(nsenter, "--net=/run/netns/" + a.loadNetns));
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        String taskset = onPath("taskset");
        if (taskset != null && cpus > Math.max(a.serverCpu, a.loadCpu) && a.serverCpu != a.loadCpu) {
            pinLoad.addAll(List.of(taskset, "-c", String.valueOf(a.loadCpu)));
            return new Pins(List.of(taskset, "-c", String.valueOf(a.serverCpu)), pinLoad, a.serverCpu, a.loadCpu);
        }
        notes.add("not pinned (taskset " + (taskset == null ? "missing" : "present") + ", " + cpus + " CPUs): server and load share CPUs");
        return new Pins(List.of(), pinLoad, -1, -1);
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
