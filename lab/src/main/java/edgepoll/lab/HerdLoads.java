package edgepoll.lab;

import edgepoll.config.Options;
import edgepoll.lab.HerdExperiment.Run;
import edgepoll.server.Server;
import edgepoll.stats.Stats;
import edgepoll.stats.SyscallCounters;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The herd experiment's three loads (docs/many-loops.md), each against a fresh in-process server:
 * the burst storm, the paced storm and the keep-alive load; each measures one {@link Run} (wake-ups
 * counted as {@link HerdExperiment} says).
 */
final class HerdLoads {
    private HerdLoads() {}

    /** The paced storm waits at most this long for every loop to be back in epoll_wait (else it counts a pace miss and goes on). */
    static final long PACE_WAIT_NANOS = 200_000_000L;

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

    /** The burst storm: {@code connections} short connections (one request, Connection: close), {@code clients} at a time. */
    static Run storm(String mode, String listener, int loops, int connections, int clients) throws Exception {
        return run(mode, listener, loops, HerdExperiment.BURST, connections, clients, 0, -1);
    }

    /**
     * The paced storm: {@code connections} short connections from one client, each made while every
     * loop sleeps in epoll_wait ({@link #pacedClient}); with {@code gapNanos} ≥ 0, a fixed gap
     * instead of that wait.
     */
    static Run paced(String mode, String listener, int loops, int connections, long gapNanos) throws Exception {
        return run(mode, listener, loops, HerdExperiment.PACED, connections, 1, 0, gapNanos);
    }

    /** {@code connections} keep-alive connections opened at once, each sending requests for {@code ms}. */
    static Run keepAlive(String mode, String listener, int loops, int connections, long ms) throws Exception {
        return run(mode, listener, loops, HerdExperiment.KEEP_ALIVE, connections, connections, ms, -1);
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
            boolean pace = kind.equals(HerdExperiment.PACED);
            if (pace && gapNanos < 0 && !ProcProbes.awaitAllInEpoll(tids, PACE_WAIT_NANOS)) misses.incrementAndGet();
            for (int c = 0; c < clients; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        switch (pace ? pacedClient(addr, tids, gapNanos, latencies, i, misses) : HerdClient.client(addr, keepMs, latencies, i)) {
                            case HerdClient.SERVED -> served.incrementAndGet();
                            case HerdClient.RESET, HerdClient.REFUSED -> refused.incrementAndGet();
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
     * of each wait. {@code latencies[i]}: request to first byte. Returns a {@link HerdClient} outcome.
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
            s.getOutputStream().write(HerdClient.REQUEST_CLOSE);
            InputStream in = s.getInputStream();
            int b = in.read();
            if (b < 0) return HerdClient.EOF;
            latencies[i] = System.nanoTime() - t0;
            byte[] rest = in.readAllBytes();
            if (b != 'H' || rest.length <= 10) return HerdClient.OTHER;
        } catch (ConnectException e) {
            return HerdClient.REFUSED;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset") ? HerdClient.RESET : HerdClient.OTHER;
        }
        try {
            if (gapNanos >= 0) java.util.concurrent.locks.LockSupport.parkNanos(gapNanos);
            else if (!ProcProbes.awaitAllInEpoll(tids, PACE_WAIT_NANOS)) misses.incrementAndGet();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return HerdClient.SERVED;
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
}
