package edgepoll.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the experiments read about this process from /proc: a thread's voluntary context switches,
 * whether it sleeps in epoll_wait, the open fds; and the network namespace's TCP counters.
 */
final class ProcProbes {
    private ProcProbes() {}

    /** The thread's voluntary context switches: each is one sleep (here: in epoll_wait) that later ended in a wake-up. */
    static long voluntarySwitches(int tid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
            if (l.startsWith("voluntary_ctxt_switches:")) return Long.parseLong(l.substring(24).strip());
        }
        return 0;
    }

    /**
     * Whether the thread sleeps in epoll_wait: state S in {@code /proc/self/task/TID/stat} and a wait
     * channel in epoll ({@code do_epoll_wait}, {@code ep_poll}) in {@code .../wchan}. Where the kernel
     * hides wait channels (wchan reads "0"), state S alone: a loop thread sleeps nowhere else.
     */
    static boolean sleepsInEpoll(int tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'S') return false;
        String wchan = Files.readString(Path.of("/proc/self/task/" + tid + "/wchan")).strip();
        return wchan.equals("0") || wchan.isEmpty() || wchan.contains("ep_poll") || wchan.contains("epoll");
    }

    /**
     * Waits until every thread of {@code tids} sleeps in epoll_wait, at most {@code maxNanos}; polls
     * every 20 µs (parked in between, so the waiting thread leaves the CPUs to the loops). Returns
     * whether they all did in time.
     */
    static boolean awaitAllInEpoll(int[] tids, long maxNanos) throws IOException {
        long end = System.nanoTime() + maxNanos;
        while (true) {
            boolean all = true;
            for (int tid : tids) {
                if (!sleepsInEpoll(tid)) {
                    all = false;
                    break;
                }
            }
            if (all) return true;
            if (System.nanoTime() > end) return false;
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
    }

    /**
     * Waits until every thread of {@code tids} sleeps in epoll_wait and stays in that one sleep for
     * 500 µs (seen asleep in epoll twice, with no voluntary context switch between), at most
     * {@code maxNanos}. Stricter than {@link #awaitAllInEpoll}: a thread that blocks for a moment
     * elsewhere (a JVM lock) and is running again by the time its wait channel is read looks, to
     * one look, like a thread in epoll_wait.
     */
    static boolean awaitSettledInEpoll(int[] tids, long maxNanos) throws IOException {
        long end = System.nanoTime() + maxNanos;
        long[] before = new long[tids.length];
        while (awaitAllInEpoll(tids, end - System.nanoTime())) {
            for (int i = 0; i < tids.length; i++) before[i] = voluntarySwitches(tids[i]);
            java.util.concurrent.locks.LockSupport.parkNanos(500_000);
            boolean same = true;
            for (int i = 0; i < tids.length && same; i++) same = sleepsInEpoll(tids[i]) && voluntarySwitches(tids[i]) == before[i];
            if (same) return true;
        }
        return false;
    }

    /** The named TcpExt or Tcp counters of this network namespace ({@code /proc/net/netstat}, {@code /proc/net/snmp}). */
    static long[] tcpCounters(String... names) throws IOException {
        long[] v = new long[names.length];
        for (String file : new String[] {"/proc/net/netstat", "/proc/net/snmp"}) {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                String[] head = lines.get(i).split(" "), vals = lines.get(i + 1).split(" ");
                for (int k = 1; k < head.length && k < vals.length; k++) {
                    for (int n = 0; n < names.length; n++) {
                        if (names[n].equals(head[0].replace(":", "") + head[k])) v[n] = Long.parseLong(vals[k]);
                    }
                }
            }
        }
        return v;
    }

    static int openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    /** Whether the fd count is back at {@code before} within 2 s (client sockets close asynchronously to nothing here, but GC-less). */
    static boolean awaitFds(int before) throws Exception {
        long end = System.nanoTime() + 2_000_000_000L;
        while (openFds() > before) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }
}
