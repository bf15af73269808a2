package edgepoll.lab;

import edgepoll.config.Options;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/herd-experiment}: many loops, one port (docs/many-loops.md). For N loops and each
 * {@code --listener} strategy under et and lt, two connect storms of short connections (one request
 * each): a burst (16 clients at once: loops are often busy, not asleep, when a connection arrives)
 * and a paced one (one client, each connection made only when every loop sleeps in epoll_wait: the
 * kernel's expected figures), and a keep-alive variant (64 connections opened at once, then requests
 * on them); per run: wasted wake-ups per accepted connection, each loop's share of the accepts,
 * syscalls per connection, p99 connect-to-first-byte, and whether every client was served and the
 * fds came back. Then reuseport listeners that close with connections queued, and SIGTERM to a
 * reuseport server in the middle of a storm, with a second server on the same port, under
 * {@code net.ipv4.tcp_migrate_req} 0 and 1 (only in a network namespace of its own: {@link HerdRestart}).
 *
 * <p>A wasted wake-up is counted two ways, both per loop thread: an accept4 that returned EAGAIN
 * right after a listener event (the loop got to user space for nothing: {@code
 * empty_accept_wakeups}), and a wake-up inside the kernel that never reached user space (woken, the
 * listener re-checked at harvest and found already accepted, back to sleep), which shows only in
 * the thread's voluntary context switches ({@code /proc/self/task/TID/status}): wasted wake-ups per
 * connection are the loop threads' switches per accepted connection minus those of the reuseport run
 * at the same N, mode and load ({@link #withBaseline}), floored at 0. Wake-ups are counted, not
 * timed: the machine may have fewer CPUs than loops.
 *
 * <p>This class is the command line and the run over N × mode × listener × load, and the face the
 * tests use; the loads are {@link HerdLoads}, the client and its outcomes {@link HerdClient}, the
 * text output {@link HerdTable}, the chart {@link HerdChart}, the closing listeners {@link HerdRestart}.
 */
public final class HerdExperiment {
    private HerdExperiment() {}

    /** The loads: {@code burst} (clients at once), {@code paced} (one connection at a time, every loop asleep before each), {@code keep-alive}. */
    public static final String BURST = "burst", PACED = "paced", KEEP_ALIVE = "keep-alive";

    /** One run's outcome. Shares are of the accepted connections. */
    public record Run(String mode, String listener, int loops, String storm, int clients, long served, long refused,
                      long failed, long accepted, long emptyAccepts, long switches, double minShare, double maxShare,
                      double syscallsPerConnection, double p99Ms, boolean fdsBack, double seconds, long paceMisses,
                      double baseline) {
        /** Loop-thread wake-ups (voluntary context switches) per accepted connection. */
        public double wakeupsPerConnection() {
            return accepted == 0 ? 0 : (double) switches / accepted;
        }

        /** Wake-ups per connection beyond those of reuseport (same N, mode and load), where only the owning loop is woken. */
        public double wastedPerConnection() {
            return Math.max(0, wakeupsPerConnection() - baseline);
        }

        Run withBaseline(double b) {
            return new Run(mode, listener, loops, storm, clients, served, refused, failed, accepted, emptyAccepts, switches,
                    minShare, maxShare, syscallsPerConnection, p99Ms, fdsBack, seconds, paceMisses, b);
        }

        public double emptyAcceptsPerConnection() {
            return accepted == 0 ? 0 : (double) emptyAccepts / accepted;
        }

        boolean allServed() {
            return served == clients;
        }

        /** A connect storm (burst or paced), where wake-ups per connection are the accepts' and "wasted" means something. */
        public boolean isStorm() {
            return !storm.equals(KEEP_ALIVE);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        boolean quick = a.contains("--quick");
        boolean netns = a.contains("--netns");
        Path out = Path.of(a.contains("--out") ? a.get(a.indexOf("--out") + 1) : "target/herd-experiment");
        Files.createDirectories(out);
        // --closing-only: only the closing-listener part (tcp_migrate_req 0 and 1)
        int[] ns = a.contains("--closing-only") ? new int[0] : quick ? new int[] {4} : new int[] {2, 4, 8};
        int storm = quick ? 1_000 : 5_000;
        int paced = quick ? 300 : 1_000;
        int clients = a.contains("--clients") ? Integer.parseInt(a.get(a.indexOf("--clients") + 1)) : 16;
        // --paced-gap-us G: pace with a fixed gap of G µs instead of waiting for the loops to sleep (to compare the two)
        long gapNanos = a.contains("--paced-gap-us") ? 1_000L * Long.parseLong(a.get(a.indexOf("--paced-gap-us") + 1)) : -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        List<Run> runs = new ArrayList<>();
        List<String> loads = List.of(BURST, PACED, KEEP_ALIVE);
        int total = ns.length * 2 * Options.LISTENERS.size() * loads.size(), done = 0;
        System.out.printf(Locale.ROOT, "herd experiment: N = %s loops on %d CPUs; burst storm of %d short connections (%d clients at once),"
                + " paced storm of %d (one at a time, %s), and 64 keep-alive connections; %d runs%n", Arrays.toString(ns),
                Runtime.getRuntime().availableProcessors(), storm, clients, paced,
                gapNanos < 0 ? "every loop back in epoll_wait before each step" : "a fixed gap of " + gapNanos / 1000 + " µs after each step", total);
        outer:
        for (int n : ns) {
            for (String mode : List.of("et", "lt")) {
                for (String listener : Options.LISTENERS) {
                    for (String load : loads) {
                        if (System.nanoTime() > deadline) {
                            System.out.println("time budget spent: stopping after " + done + " of " + total + " runs");
                            break outer;
                        }
                        Run r = switch (load) {
                            case BURST -> HerdLoads.storm(mode, listener, n, storm, clients);
                            case PACED -> HerdLoads.paced(mode, listener, n, paced, gapNanos);
                            default -> HerdLoads.keepAlive(mode, listener, n, 64, quick ? 300 : 1_000);
                        };
                        r = withBaseline(r, runs);
                        runs.add(r);
                        done++;
                        System.out.printf(Locale.ROOT, "[%2d/%d] %s%n", done, total, HerdTable.line(r));
                    }
                }
            }
        }
        System.out.println();
        System.out.print(HerdTable.table(runs));
        Files.writeString(out.resolve("herd.svg"), HerdChart.svg(runs));
        Files.writeString(out.resolve("herd.txt"), HerdTable.table(runs));
        System.out.println("chart: " + out.resolve("herd.svg") + "   table: " + out.resolve("herd.txt"));
        if (netns) {
            for (int migrate : new int[] {0, 1}) HerdRestart.queuedOnAClosingListener(migrate, quick ? 200 : 400);
            for (int migrate : new int[] {0, 1}) HerdRestart.sigtermDuringStorm(migrate, quick ? 3_000 : 10_000);
        } else {
            System.out.println("(SIGTERM part skipped: it sets net.ipv4.tcp_migrate_req, which it does only in a network"
                    + " namespace of its own; scripts/herd-experiment creates one when it runs as root with unshare)");
        }
        boolean ok = runs.stream().allMatch(r -> r.allServed() && r.fdsBack());
        System.out.println("RESULT all_served_and_fds_back=" + ok);
    }

    /** Sets {@code r}'s baseline: the reuseport run of the same N, mode and load (reuseport runs first), or its own. */
    public static Run withBaseline(Run r, List<Run> earlier) {
        for (Run b : earlier) {
            if (b.listener().equals("reuseport") && b.loops() == r.loops() && b.mode().equals(r.mode()) && b.storm().equals(r.storm())) {
                return r.withBaseline(b.wakeupsPerConnection());
            }
        }
        return r.withBaseline(r.wakeupsPerConnection());
    }

    /** The paced storm ({@link HerdLoads#paced}), for the tests. */
    public static Run paced(String mode, String listener, int loops, int connections, long gapNanos) throws Exception {
        return HerdLoads.paced(mode, listener, loops, connections, gapNanos);
    }

    /** One client ({@link HerdClient#client}), for the tests: 0 when served, else the class of its failure. */
    public static int client(InetSocketAddress addr, long keepMs, long[] latencies, int i) {
        return HerdClient.client(addr, keepMs, latencies, i);
    }

    /** The result table ({@link HerdTable#table}), for the tests. */
    public static String table(List<Run> runs) {
        return HerdTable.table(runs);
    }
}
