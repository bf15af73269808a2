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
 * {@code --listener} strategy under et and lt, a connect storm (short connections, one request each)
 * and a keep-alive variant (64 connections opened at once, then requests on them); per run: wasted
 * wake-ups per accepted connection, each loop's share of the accepts, syscalls per connection, p99
 * connect-to-first-byte, and whether every client was served and the fds came back. Then SIGTERM to
 * a reuseport server in the middle of a storm, with a second server on the same port, under
 * {@code net.ipv4.tcp_migrate_req} 0 and 1 (only in a network namespace of its own).
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
    static final byte[] REQUEST_CLOSE = "GET / HTTP/1.1\r\nHost: herd\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One run's outcome. Shares are of the accepted connections. */
    public record Run(String mode, String listener, int loops, String storm, int clients, long served, long refused,
                      long failed, long accepted, long emptyAccepts, long switches, double minShare, double maxShare,
                      double syscallsPerConnection, double p99Ms, boolean fdsBack, double seconds, double baseline) {
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
                    minShare, maxShare, syscallsPerConnection, p99Ms, fdsBack, seconds, b);
        }

        public double emptyAcceptsPerConnection() {
            return accepted == 0 ? 0 : (double) emptyAccepts / accepted;
        }

        boolean allServed() {
            return served == clients;
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
        int[] ns = quick ? new int[] {4} : new int[] {2, 4, 8};
        int storm = quick ? 1_000 : 10_000;
        int clients = a.contains("--clients") ? Integer.parseInt(a.get(a.indexOf("--clients") + 1)) : 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        List<Run> runs = new ArrayList<>();
        int total = ns.length * 2 * Options.LISTENERS.size() * 2, done = 0;
        System.out.printf(Locale.ROOT, "herd experiment: N = %s loops on %d CPUs; storm of %d short connections (%d clients at a time),"
                + " and 64 keep-alive connections; %d runs%n", Arrays.toString(ns), Runtime.getRuntime().availableProcessors(), storm, clients, total);
        outer:
        for (int n : ns) {
            for (String mode : List.of("et", "lt")) {
                for (String listener : Options.LISTENERS) {
                    for (boolean keepAlive : new boolean[] {false, true}) {
                        if (System.nanoTime() > deadline) {
                            System.out.println("time budget spent: stopping after " + done + " of " + total + " runs");
                            break outer;
                        }
                        Run r = keepAlive ? keepAlive(mode, listener, n, 64, quick ? 300 : 1_000) : storm(mode, listener, n, storm, clients);
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
        return String.format(Locale.ROOT, "%-2s %-9s N=%d %-10s served %d/%d (refused %d, failed %d), %.2f wake-ups/conn, wasted %.2f/conn (EAGAIN %.2f), share %.0f-%.0f%%, %.1f syscalls/conn, p99 %.2f ms, fds %s, %.1f s",
                r.mode(), r.listener(), r.loops(), r.storm(), r.served(), r.clients(), r.refused(), r.failed(),
                r.wakeupsPerConnection(), r.wastedPerConnection(), r.emptyAcceptsPerConnection(), 100 * r.minShare(), 100 * r.maxShare(),
                r.syscallsPerConnection(), r.p99Ms(), r.fdsBack() ? "ok" : "LEAKED", r.seconds());
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
                    r.storm().equals("storm") ? String.format(Locale.ROOT, "%.2f", r.wastedPerConnection()) : "-",
                    r.emptyAcceptsPerConnection(),
                    100 * r.minShare(), 100 * r.maxShare(), r.syscallsPerConnection(), r.p99Ms(), r.fdsBack() ? "ok" : "LEAK"));
        }
        return sb.toString();
    }

    /** {@code connections} short connections (one request, Connection: close), {@code clients} at a time. */
    public static Run storm(String mode, String listener, int loops, int connections, int clients) throws Exception {
        return run(mode, listener, loops, "storm", connections, clients, 0);
    }

    /** {@code connections} keep-alive connections opened at once, each sending requests for {@code ms}. */
    public static Run keepAlive(String mode, String listener, int loops, int connections, long ms) throws Exception {
        return run(mode, listener, loops, "keep-alive", connections, connections, ms);
    }

    private static Run run(String mode, String listener, int loops, String kind, int connections, int clients, long keepMs) throws Exception {
        int fdsBefore = ProcProbes.openFds();
        Server server = Server.start(Options.parse(new String[] {"--port", "0", "--mode", mode, "--loops", Integer.toString(loops),
                "--listener", listener}));
        long[] latencies = new long[connections];
        AtomicInteger next = new AtomicInteger();
        AtomicLong served = new AtomicLong(), refused = new AtomicLong(), failed = new AtomicLong();
        Stats stats;
        long kernel = 0;
        long t0 = System.nanoTime();
        try {
            int[] tids = server.loopThreadIds();
            long[] ctxBefore = new long[tids.length];
            for (int i = 0; i < tids.length; i++) ctxBefore[i] = ProcProbes.voluntarySwitches(tids[i]);
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port());
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        switch (client(addr, keepMs, latencies, i)) {
                            case 0 -> served.incrementAndGet();
                            case 1 -> refused.incrementAndGet();
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
                total.accepted() == 0 ? 0 : (double) total.totalCalls() / total.accepted(), p99, fdsBack, seconds, 0);
    }

    /**
     * One client: connect, one request (or requests for {@code keepMs} on a keep-alive connection),
     * read each reply. 0 served, 1 refused or reset before any byte, 2 anything else.
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
                if (b < 0) return 2;
                latencies[i] = System.nanoTime() - t0;
                byte[] rest = in.readAllBytes();
                return b == 'H' && rest.length > 10 ? 0 : 1;
            }
            long end = System.nanoTime() + keepMs * 1_000_000;
            byte[] buf = new byte[4096];
            boolean first = true;
            do {
                out.write(REQUEST);
                if (!readReply(in, buf)) return 2;
                if (first) latencies[i] = System.nanoTime() - t0;
                first = false;
            } while (System.nanoTime() < end);
            return 0;
        } catch (ConnectException e) {
            return 1;
        } catch (SocketTimeoutException e) {
            return 2;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset") ? 1 : 1;
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
