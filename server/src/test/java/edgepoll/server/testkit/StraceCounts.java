package edgepoll.server.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The strace side of the counters' proof (StraceProofTest on loopback, LinkLabTest over a link):
 * the server runs under {@code strace -ff} (one output file per thread, so no call is split into
 * "unfinished" and "resumed" halves), and the loop thread's file is counted per syscall: calls,
 * EAGAIN results, and calls that moved more than 0 but fewer bytes than asked (short reads,
 * partial sends; {@code -s 0} keeps the buffers out of the lines, so the sizes parse plainly).
 * Then compared with the server's own counters in its --stats-json.
 */
public final class StraceCounts {
    private StraceCounts() {}

    public static final String TRACED = "epoll_create1,epoll_wait,epoll_pwait,epoll_ctl,poll,ppoll,accept4,read,sendto,shutdown,setsockopt,close,eventfd2,io_uring_setup,io_uring_enter,io_uring_register";
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)$");
    private static final Pattern RESULT = Pattern.compile("= (-?\\d+)(?: (E[A-Z]+))?");
    /** read(fd, buf, COUNT) = N ; sendto(fd, buf, LEN, flags, NULL, 0) = N */
    private static final Pattern READ_SIZE = Pattern.compile(", (\\d+)\\)\\s+= (-?\\d+)");
    private static final Pattern SEND_SIZE = Pattern.compile("^\\d+, [^,]*, (\\d+), ");
    private static final Pattern OURS = Pattern.compile(
            "\"([a-z_0-9]+)(?:\\((?:ADD|MOD|DEL)\\))?\": \\{\"calls\": (\\d+), \"ok\": \\d+, \"eagain\": (\\d+), \"eintr\": \\d+, \"errors\": \\d+, \"bytes\": \\d+, \"short\": (\\d+)");

    /** strace's path on PATH, or null. */
    public static String path() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "strace"))) return Path.of(dir, "strace").toString();
        }
        return null;
    }

    /** strace's path; or the test is skipped, printing why (strace missing, ptrace not permitted). */
    public static String assumeUsable(String test) throws Exception {
        String why = whyNot();
        if (why != null) {
            System.err.println("SKIPPED " + test + ": " + why);
            Assumptions.abort(why);
        }
        return path();
    }

    /** Why strace cannot trace here (not installed, ptrace not permitted), or null when it can. */
    public static String whyNot() throws Exception {
        String strace = path();
        if (strace == null) return "strace is not installed (.ci/run installs it)";
        Process probe = new ProcessBuilder(strace, "-f", "-qq", "-e", "trace=none", "true").redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!probe.waitFor(20, TimeUnit.SECONDS) || probe.exitValue() != 0) return "ptrace is not permitted here: " + out.strip();
        return null;
    }

    /** The command prefix: strace writing PREFIX.TID per thread. */
    public static List<String> command(String strace, Path prefix) {
        return new ArrayList<>(List.of(strace, "-ff", "-qq", "-s", "0", "-o", prefix.toString(), "-e", "trace=" + TRACED));
    }

    /** The tid of loop 0 in a stats JSON. */
    public static String loopTid(String statsJson) {
        Matcher m = Pattern.compile("\"loop\": 0, \"tid\": (\\d+)").matcher(statsJson);
        if (!m.find()) throw new AssertionError("no loop tid in " + statsJson);
        return m.group(1);
    }

    /** strace's counts for one thread: name -> {calls, EAGAIN, short}; epoll_pwait counts as epoll_wait, ppoll as poll. */
    public static Map<String, long[]> ofThread(Path prefix, String tid) throws IOException {
        Map<String, long[]> counts = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of(prefix + "." + tid))) {
            Matcher m = CALL.matcher(line);
            if (!m.matches()) continue;
            String name = switch (m.group(1)) {
                case "epoll_pwait" -> "epoll_wait";
                case "ppoll" -> "poll";
                default -> m.group(1);
            };
            String rest = m.group(2);
            Matcher r = RESULT.matcher(rest);
            long result = 0;
            String errno = null;
            while (r.find()) {  // the last "= ..." on the line is the result
                result = Long.parseLong(r.group(1));
                errno = r.group(2);
            }
            long[] c = counts.computeIfAbsent(name, k -> new long[3]);
            c[0]++;
            if ("EAGAIN".equals(errno)) c[1]++;
            long asked = -1;
            if (name.equals("read")) {
                Matcher s = READ_SIZE.matcher(rest);
                if (s.find()) asked = Long.parseLong(s.group(1));
            } else if (name.equals("sendto")) {
                Matcher s = SEND_SIZE.matcher(rest);
                if (s.find()) asked = Long.parseLong(s.group(1));
            }
            if (result > 0 && result < asked) c[2]++;
        }
        return counts;
    }

    /** The server's counts, all loops: name -> {calls, EAGAIN, short}; epoll_ctl's three forms as one. */
    public static Map<String, long[]> ofStatsJson(String json) {
        Map<String, long[]> ours = new TreeMap<>();
        Matcher sys = OURS.matcher(json.substring(json.indexOf("\"loops\": [")));
        while (sys.find()) {
            long[] c = ours.computeIfAbsent(sys.group(1), k -> new long[3]);
            for (int i = 0; i < 3; i++) c[i] += Long.parseLong(sys.group(i + 2));
        }
        ours.values().removeIf(c -> c[0] == 0);
        return ours;
    }

    /** Prints both side by side and asserts every syscall's calls, EAGAIN and short counts equal; returns the table. */
    public static String assertEqualCounts(String label, Map<String, long[]> strace, Map<String, long[]> ours) {
        TreeSet<String> names = new TreeSet<>(ours.keySet());
        names.addAll(strace.keySet());
        StringBuilder table = new StringBuilder(label + ": syscall  strace(calls/EAGAIN/short)  edgepoll(calls/EAGAIN/short)\n");
        for (String k : names) {
            long[] a = strace.getOrDefault(k, new long[3]), b = ours.getOrDefault(k, new long[3]);
            table.append(String.format("  %-14s %22s %22s%n", k, a[0] + "/" + a[1] + "/" + a[2], b[0] + "/" + b[1] + "/" + b[2]));
        }
        System.out.print(table);
        for (String k : names) {
            long[] a = strace.getOrDefault(k, new long[3]), b = ours.getOrDefault(k, new long[3]);
            assertEquals(a[0], b[0], k + " calls differ\n" + table);
            assertEquals(a[1], b[1], k + " EAGAIN differ\n" + table);
            assertEquals(a[2], b[2], k + " short calls differ\n" + table);
        }
        return table.toString();
    }
}
