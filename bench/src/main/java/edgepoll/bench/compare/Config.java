package edgepoll.bench.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * What one comparison run does: which servers and workloads, how long each measurement lasts, how
 * often it is repeated, and how processes are pinned ({@code pinServer}/{@code pinLoad}: a taskset
 * prefix, empty when the machine has one CPU or no taskset). {@code strace} is null when strace is
 * missing, {@code perf} when perf cannot count syscall tracepoints here; {@code cfloor} is the compiled C
 * peer, null when gcc is missing or no C peer runs; {@code rateload} the compiled fixed-rate generator, null
 * when no fixed-rate workload runs; {@code notes} say what was left out and why, for the report.
 */
record Config(List<Servers.Spec> servers, List<Workloads.Workload> workloads, int reps,
              double warmupS, double durationS, double straceS, int serverCpu, int loadCpu,
              List<String> pinServer, List<String> pinLoad, List<String> jvm,
              Path edgepollJar, Path benchJar, String nginx, String wrk, String strace, String perf, Path cfloor,
              Path rateload, Path out, boolean quick, List<String> notes) {}
