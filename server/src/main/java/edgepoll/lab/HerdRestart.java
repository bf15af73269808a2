package edgepoll.lab;

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
import java.util.concurrent.atomic.AtomicLong;

/** The herd experiment's rolling restart: SIGTERM to one of two reuseport servers during a connect storm. */
final class HerdRestart {
    private HerdRestart() {}

    /**
     * Rolling restart under load: two reuseport server processes on one port, a storm, SIGTERM to
     * the first halfway through. The first one's listeners close with connections still queued in
     * them: reset (tcp_migrate_req 0) or moved to the second one's listeners (1).
     */
    static void sigtermDuringStorm(int migrate, int connections) throws Exception {
        Path knob = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
        if (!Files.exists(knob)) {
            System.out.println("tcp_migrate_req: not in this kernel (5.14+): skipped");
            return;
        }
        Files.writeString(knob, Integer.toString(migrate));
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
            Thread.sleep(1_500);  // the second process's JVM start; its bind fails loudly if REUSEPORT did not apply
            if (!fresh.isAlive()) throw new IllegalStateException("second server did not start");
            long[] latencies = new long[connections];
            AtomicInteger next = new AtomicInteger();
            AtomicLong served = new AtomicLong(), reset = new AtomicLong(), failed = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        switch (HerdExperiment.client(addr, 0, latencies, i)) {
                            case 0 -> served.incrementAndGet();
                            case 1 -> reset.incrementAndGet();
                            default -> failed.incrementAndGet();
                        }
                    }
                }));
            }
            while (next.get() < connections / 2) Thread.onSpinWait();
            old.destroy();  // SIGTERM
            for (Thread t : threads) t.join(60_000);
            old.waitFor(10, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "SIGTERM during a storm (reuseport, 2 processes x 2 loops), tcp_migrate_req=%d:"
                    + " %d connections: %d served, %d reset or refused, %d failed otherwise%n",
                    migrate, connections, served.get(), reset.get(), failed.get());
        } finally {
            old.destroy();
            if (fresh != null) fresh.destroy();
            old.waitFor(10, TimeUnit.SECONDS);
            if (fresh != null) fresh.waitFor(10, TimeUnit.SECONDS);
        }
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
