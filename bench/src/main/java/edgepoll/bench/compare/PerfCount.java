package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Syscall counts without strace's distortion: {@code perf stat} counting the kernel's syscall-entry
 * tracepoints of one process (all its threads). Counting a tracepoint costs the traced call next to
 * nothing, where strace stops the thread twice per call: under strace a server runs an order of
 * magnitude slower, so its batching (events per epoll_wait, and for edgepoll's strict ET whether the
 * drain read finds the next request already there) is not the batching of a real run.
 */
final class PerfCount {
    private PerfCount() {}

    /** The calls counted one by one; "other" is every syscall (raw_syscalls:sys_enter) minus these. */
    static final List<String> CALLS = List.of("read", "recvfrom", "readv", "recvmsg", "write", "sendto", "writev", "sendmsg",
            "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "epoll_ctl", "accept4", "close", "futex");

    /** perf's path when it can count syscall tracepoints here, else null. */
    static String usable() {
        String perf = Cli.onPath("perf");
        if (perf == null) return null;
        boolean tracefs = Files.isDirectory(Path.of("/sys/kernel/tracing/events/syscalls"))
                || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events/syscalls"));
        return tracefs ? perf : null;
    }

    static Process start(String perf, long pid, Path out) throws IOException {
        StringBuilder events = new StringBuilder("raw_syscalls:sys_enter");
        for (String c : CALLS) events.append(",syscalls:sys_enter_").append(c);
        return new ProcessBuilder(perf, "stat", "-x,", "-o", out.toString(), "-e", events.toString(), "-p", String.valueOf(pid))
                .redirectErrorStream(true).redirectOutput(out.resolveSibling("perf-stderr.txt").toFile()).start();
    }

    /** perf stat prints its counts when interrupted (SIGINT), as after Ctrl-C. */
    static void stop(Process p) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
    }

    /** perf stat -x, output into calls by name, with "other" for the calls not named in {@link #CALLS}. */
    static Map<String, Long> parse(String out) {
        Map<String, Long> calls = new LinkedHashMap<>();
        long all = -1, named = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 3 || !f[0].matches("\\d+")) continue;
            long n = Long.parseLong(f[0]);
            if (f[2].equals("raw_syscalls:sys_enter")) {
                all = n;
            } else if (f[2].startsWith("syscalls:sys_enter_") && n > 0) {
                calls.put(f[2].substring("syscalls:sys_enter_".length()), n);
                named += n;
            }
        }
        if (all >= named) calls.put("other", all - named);
        return calls;
    }
}
