package edgepoll.lab;

import edgepoll.config.Options;
import edgepoll.server.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The herd experiment's closing reuseport listeners, under {@code net.ipv4.tcp_migrate_req} 0 and 1
 * (docs/many-loops.md): first a listener of a reuseport group that never accepts and then closes
 * with connections queued on it; then the rolling restart, SIGTERM to one of two reuseport servers
 * during a connect storm. Each client's outcome is classified ({@link HerdClient#client}), and the
 * network namespace's TCP counters say which resets the kernel sent for which reason.
 */
final class HerdRestart {
    private HerdRestart() {}

    /**
     * Rolling restart under load: two reuseport server processes on one port, a storm, SIGTERM to
     * the first halfway through. The first one's listeners close with connections still queued in
     * them: reset (tcp_migrate_req 0) or moved to the second one's listeners (1).
     */
    static void sigtermDuringStorm(int migrate, int connections) throws Exception {
        if (!setMigrate(migrate)) return;
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "edgepoll.cli.Main",
                "--mode", "et", "--loops", "2", "--port", Integer.toString(port), "--listener", "reuseport");
        // --loops 2 opens the port with SO_REUSEPORT, so a second process can join it.
        Process old = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Process fresh = null;
        try {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
            awaitListening(addr);
            fresh = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // the second process's JVM start (seconds on a busy machine); its bind fails loudly if REUSEPORT did not apply
            long until = System.nanoTime() + 20_000_000_000L;
            while (listeners(port) < 4 && fresh.isAlive() && System.nanoTime() < until) Thread.sleep(20);
            if (listeners(port) < 4) throw new IllegalStateException("second server did not start listening");
            long[] latencies = new long[connections];
            AtomicInteger next = new AtomicInteger();
            long[] before = ProcProbes.tcpCounters(COUNTERS);
            long[] outcomes = new long[HerdClient.OUTCOMES.length];
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        int o = HerdClient.client(addr, 0, latencies, i);
                        synchronized (outcomes) {
                            outcomes[o]++;
                        }
                    }
                }));
            }
            while (next.get() < connections / 2) Thread.onSpinWait();
            old.destroy();  // SIGTERM
            for (Thread t : threads) t.join(60_000);
            old.waitFor(10, TimeUnit.SECONDS);
            long[] after = ProcProbes.tcpCounters(COUNTERS);
            synchronized (outcomes) {
                System.out.printf(Locale.ROOT, "SIGTERM during a storm (reuseport, 2 processes x 2 loops, 16 clients), tcp_migrate_req=%d:"
                        + " %d connections: %s; kernel: %s%n", migrate, connections, outcomes(outcomes), kernel(before, after));
            }
        } finally {
            old.destroy();
            if (fresh != null) fresh.destroy();
            old.waitFor(10, TimeUnit.SECONDS);
            if (fresh != null) fresh.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** TCP counters of the namespace that say where resets came from (docs/many-loops.md). */
    static final String[] COUNTERS = {"TcpOutRsts", "TcpExtTCPAbortOnClose", "TcpExtTCPAbortOnData",
            "TcpExtTCPMigrateReqSuccess", "TcpExtTCPMigrateReqFailure"};

    static String kernel(long[] before, long[] after) {
        long[] d = new long[before.length];
        for (int i = 0; i < d.length; i++) d[i] = after[i] - before[i];
        return String.format(Locale.ROOT, "%d RST sent (%d closed with the request unread: TCPAbortOnClose, %d request after close:"
                + " TCPAbortOnData, the rest from closing listeners and clients), migrated %d (failed %d)", d[0], d[1], d[2], d[3], d[4]);
    }

    static String outcomes(long[] o) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < o.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(o[i]).append(' ').append(HerdClient.OUTCOMES[i]);
        }
        return sb.toString();
    }

    /** Sets net.ipv4.tcp_migrate_req (in the experiment's own network namespace); false when this kernel has none (5.14+). */
    static boolean setMigrate(int migrate) throws IOException {
        Path knob = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
        if (!Files.exists(knob)) {
            System.out.println("tcp_migrate_req: not in this kernel (5.14+): skipped");
            return false;
        }
        Files.writeString(knob, Integer.toString(migrate));
        return true;
    }

    /**
     * A reuseport listener closes with connections queued on it: two edgepoll servers on one port
     * ({@code --loops 2} each, so a group of four listeners), the second with {@code --accept-pause}
     * so it never accepts. {@code connections} clients connect one after another (each handshake
     * completes in the kernel, accepted or not) and send their request; the hash puts about half of
     * them in the pausing server's queues. Then that server stops, through its ordinary stop sequence
     * (its loops close their listeners at the end): with tcp_migrate_req 0 each queued connection is
     * reset; with 1 the kernel moves it to a listener of the serving server. Each client then reads
     * its reply (1.5 s for all); one still waiting then gets a second chance after 8 fresh
     * connections (not counted) woke every serving listener, which says whether a migrated
     * connection is announced to the listener's waiters or waits for the next connection.
     */
    static void queuedOnAClosingListener(int migrate, int connections) throws Exception {
        if (!setMigrate(migrate)) return;
        String[] common = {"--bind", "127.0.0.1", "--mode", "et", "--loops", "2", "--listener", "reuseport", "--backlog", "4096"};
        Server serving = null, paused = null;
        Socket[] socks = new Socket[connections];
        try {
            serving = Server.start(Options.parse(concat(common, "--port", "0")));
            int port = serving.port();
            paused = Server.start(Options.parse(concat(common, "--port", Integer.toString(port), "--accept-pause", "600000ms")));
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
            long[] before = ProcProbes.tcpCounters(COUNTERS);
            for (int i = 0; i < connections; i++) {
                socks[i] = new Socket();
                socks[i].connect(addr, 5_000);
                socks[i].getOutputStream().write(HerdClient.REQUEST_CLOSE);
            }
            int queued = queued(port);
            paused.stop();
            long[] outcomes = new long[HerdClient.OUTCOMES.length];
            int[] each = new int[connections];
            long end = System.nanoTime() + 1_500_000_000L;
            for (int i = 0; i < connections; i++) {
                socks[i].setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
                each[i] = readReply(socks[i]);
            }
            int late = 0;
            for (int k = 0; k < 8; k++) HerdClient.client(addr, 0, new long[1], 0);  // wake the serving listeners
            for (int i = 0; i < connections; i++) {
                if (each[i] == TIMEOUT) {
                    socks[i].setSoTimeout(1_000);
                    each[i] = readReply(socks[i]);
                    if (each[i] == HerdClient.SERVED) late++;
                }
                outcomes[each[i] == TIMEOUT ? HerdClient.OTHER : each[i]]++;
            }
            long[] after = ProcProbes.tcpCounters(COUNTERS);
            System.out.printf(Locale.ROOT, "a stopping server's reuseport listeners (2 of 4) close with %d connections queued, tcp_migrate_req=%d:"
                    + " %d connections: %s (%d served only after later connections woke the listener); kernel: %s%n",
                    queued, migrate, connections, outcomes(outcomes), late, kernel(before, after));
        } finally {
            for (Socket s : socks) if (s != null) s.close();
            if (paused != null) paused.close();
            if (serving != null) serving.close();
        }
    }

    private static final int TIMEOUT = -1;

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** The outcome of one connection whose request was sent: read its reply. */
    private static int readReply(Socket s) {
        try {
            int b = s.getInputStream().read();
            if (b < 0) return HerdClient.EOF;
            s.getInputStream().readAllBytes();
            return b == 'H' ? HerdClient.SERVED : HerdClient.OTHER;
        } catch (java.net.SocketTimeoutException e) {
            return TIMEOUT;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset") ? HerdClient.RESET : HerdClient.OTHER;
        }
    }

    /** How many connections wait in the accept queues of the listeners on {@code port} ({@code /proc/net/tcp}: a listener's rx_queue). */
    static int queued(int port) throws IOException {
        int sum = 0;
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String l : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 4 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                sum += Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
            }
        }
        return sum;
    }

    /** How many sockets listen on {@code port} ({@code /proc/net/tcp}). */
    static int listeners(int port) throws IOException {
        int n = 0;
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String l : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 4 && f[1].endsWith(hexPort) && f[3].equals("0A")) n++;
        }
        return n;
    }

    static void awaitListening(InetSocketAddress addr) throws Exception {
        long end = System.nanoTime() + 15_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(addr, 1_000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end) throw new IllegalStateException("server did not start listening on " + addr, e);
                Thread.sleep(50);
            }
        }
    }
}
