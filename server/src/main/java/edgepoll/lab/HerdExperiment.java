package edgepoll.lab;

import edgepoll.config.Options;
import edgepoll.server.Server;
import edgepoll.stats.Stats;
import edgepoll.stats.SyscallCounters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 * listener re-checked at harvest and found already accepted, back to sleep): the thread's voluntary
 * context switches ({@code /proc/self/task/TID/status}) minus its epoll_wait calls that returned
 * events, floored at 0. Wake-ups are counted, not timed: the machine may have fewer CPUs than loops.
 */
public final class HerdExperiment {
    private HerdExperiment() {}

    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: herd\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The loads: {@code burst} (clients at once), {@code paced} (one connection at a time, every loop asleep before each), {@code keep-alive}. */
    public static final String BURST = "burst", PACED = "paced", KEEP_ALIVE = "keep-alive";

    /** A client's outcome ({@link #client}). */
    public static final int SERVED = 0, RESET = 1, EOF = 2, REFUSED = 3, OTHER = 4;
    static final String[] OUTCOMES = {"served", "reset before any byte", "EOF before any byte", "refused", "other"};

    /** The paced storm waits at most this long for every loop to be back in epoll_wait (else it counts a pace miss and goes on). */
    static final long PACE_WAIT_NANOS = 200_000_000L;

    static final byte[] REQUEST_CLOSE = "GET / HTTP/1.1\r\nHost: herd\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

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

    static {
        // The first java.net client connection in a JVM leaves one fd open for good (seen in the
        // testkit's ServerHandle too): make it happen before any fd baseline is taken.
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             Socket c = new Socket(java.net.InetAddress.getLoopbackAddress(), ss.getLocalPort());
             Socket x = ss.accept()) {
            c.setSoTimeout(1);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
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
                            case BURST -> storm(mode, listener, n, storm, clients);
                            case PACED -> paced(mode, listener, n, paced, gapNanos);
                            default -> keepAlive(mode, listener, n, 64, quick ? 300 : 1_000);
                        };
                        r = withBaseline(r, runs);
                        runs.add(r);
                        done++;
                        System.out.printf(Locale.ROOT, "[%2d/%d] %s%n", done, total, line(r));
                    }
                }
            }
        }
        System.out.println();
        System.out.print(table(runs));
        Files.writeString(out.resolve("herd.svg"), HerdChart.svg(runs));
        Files.writeString(out.resolve("herd.txt"), table(runs));
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

    static String line(Run r) {
        return String.format(Locale.ROOT, "%-2s %-9s N=%d %-10s served %d/%d (refused %d, failed %d), %.2f wake-ups/conn, wasted %.2f/conn (EAGAIN %.2f), share %.0f-%.0f%%, %.1f syscalls/conn, p99 %.2f ms, fds %s, %.1f s%s",
                r.mode(), r.listener(), r.loops(), r.storm(), r.served(), r.clients(), r.refused(), r.failed(),
                r.wakeupsPerConnection(), r.wastedPerConnection(), r.emptyAcceptsPerConnection(), 100 * r.minShare(), 100 * r.maxShare(),
                r.syscallsPerConnection(), r.p99Ms(), r.fdsBack() ? "ok" : "LEAKED", r.seconds(),
                r.storm().equals(PACED) ? ", pace misses " + r.paceMisses() : "");
    }

    /** The result table: one row per run. */
    public static String table(List<Run> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-4s %-10s %3s %-10s %9s %8s %8s %8s %9s %9s %9s %5s%n", "mode", "listener", "N",
                "load", "served", "wake-ups", "wasted", "EAGAIN", "share", "sys/conn", "p99 ms", "fds"));
        for (Run r : runs) {
            sb.append(String.format(Locale.ROOT, "%-4s %-10s %3d %-10s %9s %8.2f %8s %8.2f %4.0f-%3.0f%% %9.1f %9.2f %5s%n",
                    r.mode(), r.listener(), r.loops(), r.storm(), r.served() + "/" + r.clients(), r.wakeupsPerConnection(),
                    // keep-alive: the wake-ups are the requests', not the accepts'; only EAGAIN and the shares speak of the herd
                    r.isStorm() ? String.format(Locale.ROOT, "%.2f", r.wastedPerConnection()) : "-",
                    r.emptyAcceptsPerConnection(),
                    100 * r.minShare(), 100 * r.maxShare(), r.syscallsPerConnection(), r.p99Ms(), r.fdsBack() ? "ok" : "LEAK"));
        }
        return sb.toString();
    }

    /** The burst storm: {@code connections} short connections (one request, Connection: close), {@code clients} at a time. */
    public static Run storm(String mode, String listener, int loops, int connections, int clients) throws Exception {
        return run(mode, listener, loops, BURST, connections, clients, 0, -1);
    }

    /**
     * The paced storm: {@code connections} short connections from one client, each made while every
     * loop sleeps in epoll_wait ({@link #pacedClient}); with {@code gapNanos} ≥ 0, a fixed gap
     * instead of that wait.
     */
    public static Run paced(String mode, String listener, int loops, int connections, long gapNanos) throws Exception {
        return run(mode, listener, loops, PACED, connections, 1, 0, gapNanos);
    }

    /** {@code connections} keep-alive connections opened at once, each sending requests for {@code ms}. */
    public static Run keepAlive(String mode, String listener, int loops, int connections, long ms) throws Exception {
        return run(mode, listener, loops, KEEP_ALIVE, connections, connections, ms, -1);
    }

    private static Run run(String mode, String listener, int loops, String kind, int connections, int clients, long keepMs,
                           long gapNanos) throws Exception {
        int fdsBefore = ProcProbes.openFds();
        Server server = Server.start(Options.parse(new String[] {"--port", "0", "--mode", mode, "--loops", Integer.toString(loops),
                "--listener", listener}));
        long[] latencies = new long[connections];
        AtomicInteger next = new AtomicInteger();
        AtomicLong served = new AtomicLong(), refused = new AtomicLong(), failed = new AtomicLong(), misses = new AtomicLong();
        Stats stats;
        long kernel = 0;
        long t0 = System.nanoTime();
        try {
            int[] tids = server.loopThreadIds();
            long[] ctxBefore = new long[tids.length];
            for (int i = 0; i < tids.length; i++) ctxBefore[i] = ProcProbes.voluntarySwitches(tids[i]);
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port());
            List<Thread> threads = new ArrayList<>();
            boolean pace = kind.equals(PACED);
            if (pace && gapNanos < 0 && !ProcProbes.awaitAllInEpoll(tids, PACE_WAIT_NANOS)) misses.incrementAndGet();
            for (int c = 0; c < clients; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        switch (pace ? pacedClient(addr, tids, gapNanos, latencies, i, misses) : client(addr, keepMs, latencies, i)) {
                            case SERVED -> served.incrementAndGet();
                            case RESET, REFUSED -> refused.incrementAndGet();
                            default -> failed.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(60));
            for (int i = 0; i < tids.length; i++) kernel += Math.max(0, ProcProbes.voluntarySwitches(tids[i]) - ctxBefore[i]);
        } finally {
            stats = server.stop();
            server.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        SyscallCounters total = stats.total();
        double[] shares = stats.acceptShares();
        long[] lat = Arrays.stream(latencies).filter(x -> x > 0).sorted().toArray();
        double p99 = lat.length == 0 ? 0 : lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))] / 1e6;
        boolean fdsBack = ProcProbes.awaitFds(fdsBefore);
        return new Run(mode, listener, loops, kind, connections, served.get(), refused.get(), failed.get(), total.accepted(),
                total.emptyAcceptWakeups(), kernel, Arrays.stream(shares).min().orElse(0), Arrays.stream(shares).max().orElse(0),
                total.accepted() == 0 ? 0 : (double) total.totalCalls() / total.accepted(), p99, fdsBack, seconds, misses.get(), 0);
    }

    /**
     * One paced connection: connect (on loopback the handshake completes inside connect(), and the
     * listener's wake-ups happen there), wait until the loops woke, handled it and every one sleeps in
     * epoll_wait again; only then send the request (Connection: close) and read the reply to EOF;
     * close, and wait until every loop sleeps again. So each connection meets every loop asleep, as
     * the kernel's expected figures assume, and the owner's wake-ups per connection are the same in
     * every strategy (one for the connection, one for the request). A wait that runs out
     * ({@link #PACE_WAIT_NANOS}) counts a pace miss. With {@code gapNanos} ≥ 0: a fixed gap instead
     * of each wait. {@code latencies[i]}: request to first byte.
     */
    static int pacedClient(InetSocketAddress addr, int[] tids, long gapNanos, long[] latencies, int i, AtomicLong misses) {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            long before = gapNanos < 0 ? switches(tids) : 0;
            s.connect(addr, 10_000);
            if (gapNanos >= 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(gapNanos);
            } else if (!awaitWokeAndAsleep(tids, before)) {
                misses.incrementAndGet();
            }
            long t0 = System.nanoTime();
            s.getOutputStream().write(REQUEST_CLOSE);
            InputStream in = s.getInputStream();
            int b = in.read();
            if (b < 0) return EOF;
            latencies[i] = System.nanoTime() - t0;
            byte[] rest = in.readAllBytes();
            if (b != 'H' || rest.length <= 10) return OTHER;
        } catch (ConnectException e) {
            return REFUSED;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset") ? RESET : OTHER;
        }
        try {
            if (gapNanos >= 0) java.util.concurrent.locks.LockSupport.parkNanos(gapNanos);
            else if (!ProcProbes.awaitAllInEpoll(tids, PACE_WAIT_NANOS)) misses.incrementAndGet();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return SERVED;
    }

    private static long switches(int[] tids) throws IOException {
        long sum = 0;
        for (int tid : tids) sum += ProcProbes.voluntarySwitches(tid);
        return sum;
    }

    /**
     * Until some loop has woken and slept again (the loops' voluntary switches grew past {@code before})
     * and every loop sleeps in epoll_wait: the listener's wake-ups all happen in one pass, so once the
     * owner slept again, every other woken loop is runnable, not sleeping, until it has slept again too.
     */
    private static boolean awaitWokeAndAsleep(int[] tids, long before) throws IOException {
        long end = System.nanoTime() + PACE_WAIT_NANOS;
        while (switches(tids) <= before) {
            if (System.nanoTime() > end) return false;
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
        return ProcProbes.awaitAllInEpoll(tids, Math.max(1, end - System.nanoTime()));
    }

    /**
     * One client: connect, one request (or requests for {@code keepMs} on a keep-alive connection),
     * read each reply. Returns {@link #SERVED}, {@link #RESET} (reset before any byte of a reply),
     * {@link #EOF} (the server closed before any byte), {@link #REFUSED} (connect refused), or
     * {@link #OTHER} (a timeout, a short reply, a reset after some bytes).
     */
    public static int client(InetSocketAddress addr, long keepMs, long[] latencies, int i) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(addr, 10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (keepMs == 0) {
                out.write(REQUEST_CLOSE);
                int b = in.read();
                if (b < 0) return EOF;
                latencies[i] = System.nanoTime() - t0;
                try {
                    byte[] rest = in.readAllBytes();
                    return b == 'H' && rest.length > 10 ? SERVED : OTHER;
                } catch (IOException e) {
                    return OTHER;
                }
            }
            long end = System.nanoTime() + keepMs * 1_000_000;
            byte[] buf = new byte[4096];
            boolean first = true;
            do {
                out.write(REQUEST);
                if (!readReply(in, buf)) return first ? EOF : OTHER;
                if (first) latencies[i] = System.nanoTime() - t0;
                first = false;
            } while (System.nanoTime() < end);
            return SERVED;
        } catch (ConnectException e) {
            return REFUSED;
        } catch (SocketTimeoutException e) {
            return OTHER;
        } catch (IOException e) {
            // a reset ("Broken pipe": a write after it): before any byte of a reply for a short connection (after
            // one, the read above answers OTHER); for a keep-alive one possibly after some replies
            String m = e.getMessage() == null ? "" : e.getMessage();
            return m.contains("reset") || m.contains("Broken pipe") ? RESET : OTHER;
        }
    }

    /** Reads one HTTP reply with a Content-Length body; false at EOF. */
    static boolean readReply(InputStream in, byte[] buf) throws IOException {
        int len = 0, headEnd = -1;
        while (headEnd < 0) {
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) return false;
            len += n;
            for (int k = 3; k < len; k++) {
                if (buf[k - 3] == '\r' && buf[k - 2] == '\n' && buf[k - 1] == '\r' && buf[k] == '\n') {
                    headEnd = k + 1;
                    break;
                }
            }
        }
        String head = new String(buf, 0, headEnd, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        int at = head.indexOf("content-length:");
        int body = at < 0 ? 0 : Integer.parseInt(head.substring(at + 15, head.indexOf('\r', at)).strip());
        int have = len - headEnd;
        while (have < body) {
            int n = in.read(buf, 0, Math.min(buf.length, body - have));
            if (n < 0) return false;
            have += n;
        }
        return true;
    }
}
