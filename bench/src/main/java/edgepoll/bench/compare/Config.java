package edgepoll.bench.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * What one comparison run does: which servers and workloads, how many blocks (each holds every server
 * once under every workload, in a shuffled order drawn from {@code seed}), how long each measured
 * window lasts, how often the whole comparison is repeated ({@code repeat}), and where processes run
 * ({@code pinServer}: a taskset prefix, empty when the machine has one CPU or no taskset; {@code load}:
 * where the load runs and what it targets). {@code strace} is null when strace is missing, {@code perf}
 * when perf cannot count syscall tracepoints here; {@code cfloor} is the compiled C peer, null when gcc is
 * missing or no C peer runs; {@code rateload} the compiled fixed-rate generator, null when no fixed-rate
 * workload runs; {@code keepDisturbed} keeps the windows {@link WindowRule} would drop (flagged, for a smoke
 * run on a shared machine: its intervals then include them); {@code notes} say what was left out and why, for the report.
 */
record Config(List<Servers.Spec> servers, List<Workloads.Workload> workloads, int blocks,
              double warmupS, double durationS, double straceS, int serverCpu, int loadCpu,
              List<String> pinServer, LoadSide load, List<String> jvm,
              Path edgepollJar, Path benchJar, String nginx, String wrk, String strace, String perf, Path cfloor,
              Path rateload, Path out, boolean quick, boolean targetsOnly, int repeat, long seed, boolean keepDisturbed, List<String> notes) {

    /** This configuration for repetition {@code k} (1-based) of a {@code --repeat} run: its own directory and order. */
    Config repetition(int k) {
        return new Config(servers, workloads, blocks, warmupS, durationS, straceS, serverCpu, loadCpu, pinServer, load, jvm,
                edgepollJar, benchJar, nginx, wrk, strace, perf, cfloor, rateload, out.resolve("run-" + k), quick, targetsOnly,
                1, seed + k - 1, keepDisturbed, notes);
    }
}
