package edgepoll.lab;

import edgepoll.config.Options;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/compare-models}: one fixed workload against every server model, each in its own
 * process, side by side: req/s, server CPU per request (utime+stime from /proc), syscalls and
 * EAGAIN per request (deltas of the server's live stats around the measured window), and memory per
 * connection (VmRSS growth while 1,000 idle connections are open). A second table repeats the
 * workload with 5,000 idle connections open, where models that visit every connection each turn
 * (poll, busy-poll) fall behind epoll. Clients: blocking java.net sockets, one thread each, closed
 * loop, keep-alive (the blocking model answers one request per connection, so its client reconnects).
 */
public final class ModelComparison {
    private ModelComparison() {}

    /**
     * Every --mode in the seeds' order (blocking first, edge-triggered epoll last), ET's other drain,
     * then the model after epoll: uring, and uring with SQPOLL (its CPU figure includes the kernel's
     * submission thread, which belongs to the server process).
     */
    static final String[] VARIANTS = java.util.stream.Stream.concat(Options.MODES.reversed().stream().filter(m -> !m.equals("uring")),
            java.util.stream.Stream.of("et-short-read", "uring", "uring-sqpoll"))
            .toArray(String[]::new);
    static final long TICK_US = 10_000;  // USER_HZ = 100 on Linux

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        String jar = args.length > 0 && !args[0].startsWith("--") ? args[0] : System.getProperty("edgepoll.jar", "server/target/edgepoll.jar");
        long seconds = quick ? 1 : 3;
        int busy = 16;
        long start = System.nanoTime();
        List<String> plain = new ArrayList<>(), crowd = new ArrayList<>();
        int step = 0, steps = VARIANTS.length * 2 - 1;
        for (String v : VARIANTS) {
            progress(++step, steps, v + ", " + busy + " busy connections", start);
            plain.add(measure(jar, v, busy, 0, seconds, 1000));
        }
        for (String v : VARIANTS) {
            if (v.equals("blocking")) continue;
            progress(++step, steps, v + ", " + busy + " busy + 5,000 idle", start);
            crowd.add(measure(jar, v, busy, 5000, seconds, 0));
        }
        System.err.printf(Locale.ROOT, "\rdone in %.0f s%60s%n", (System.nanoTime() - start) / 1e9, "");
        String header = String.format(Locale.ROOT, "%-16s %10s %12s %12s %12s %14s", "mode", "req/s", "CPU us/req", "syscalls/req", "EAGAIN/req", "KiB/connection");
        System.out.println(busy + " keep-alive connections, closed loop, " + seconds + " s each (HTTP hello world):");
        System.out.println(header);
        plain.forEach(System.out::println);
        System.out.println();
        System.out.println(busy + " busy connections with 5,000 idle ones open (blocking cannot: it serves one connection at a time):");
        System.out.println(header);
        crowd.forEach(System.out::println);
    }

    private static void progress(int step, int steps, String what, long start) {
        System.err.printf(Locale.ROOT, "\r[%2d/%d] %-45s %5.0f s", step, steps, what, (System.nanoTime() - start) / 1e9);
    }

    static String measure(String jar, String variant, int busy, int idle, long seconds, int memProbe) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar, "--port", "0", "--max-threads", "20000"));
        if (variant.equals("et-short-read")) cmd.addAll(List.of("--mode", "et", "--drain", "short-read"));
        else if (variant.equals("uring-sqpoll")) cmd.addAll(List.of("--mode", "uring", "--sqpoll"));
        else cmd.addAll(List.of("--mode", variant));
        Path err = Files.createTempFile("compare-models", ".err");
        Process server = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        List<Socket> idleSockets = new ArrayList<>();
        try {
            String first = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (first == null) {  // e.g. io_uring refused here: the server said why in one line
                List<String> why = Files.readAllLines(err);
                return String.format(Locale.ROOT, "%-16s   (server did not start%s)", variant, why.isEmpty() ? "" : ": " + why.get(0));
            }
            int port = Integer.parseInt(first.split(" ")[2].substring(first.split(" ")[2].lastIndexOf(':') + 1));
            long pid = server.pid();
            String mem = "-";
            if (memProbe > 0 && !variant.equals("blocking")) {
                long before = rssKiB(pid);
                for (int i = 0; i < memProbe; i++) idleSockets.add(connect(port));
                Thread.sleep(500);
                mem = String.format(Locale.ROOT, "%.1f", (rssKiB(pid) - before) / (double) memProbe);
                for (Socket s : idleSockets) s.close();
                idleSockets.clear();
            }
            for (int i = 0; i < idle; i++) idleSockets.add(connect(port));
            if (idle > 0) Thread.sleep(500);
            run(port, busy, 500_000_000L, variant.equals("blocking"));  // warm-up
            long[] s0 = stats(port, variant), c0 = cpuTicks(pid);
            long t0 = System.nanoTime();
            long done = run(port, busy, seconds * 1_000_000_000L, variant.equals("blocking"));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long[] c1 = cpuTicks(pid), s1 = stats(port, variant);
            long req = s1[0] - s0[0];
            return String.format(Locale.ROOT, "%-16s %10.0f %12.1f %12.2f %12.2f %14s", variant, done / elapsed,
                    (double) (c1[0] - c0[0]) * TICK_US / Math.max(1, req), (double) (s1[1] - s0[1]) / Math.max(1, req),
                    (double) (s1[2] - s0[2]) / Math.max(1, req), mem);
        } finally {
            for (Socket s : idleSockets) s.close();
            server.destroy();
            server.waitFor();
            Files.deleteIfExists(err);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Closed-loop clients for {@code nanos}; returns responses received. */
    static long run(int port, int clients, long nanos, boolean reconnect) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        byte[] req = ("GET / HTTP/1.1\r\nHost: x\r\n" + (reconnect ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                byte[] buf = new byte[4096];
                Socket s = null;
                try {
                    while (!stop.get()) {
                        if (s == null) s = connect(port);
                        s.getOutputStream().write(req);
                        readResponse(s.getInputStream(), buf);
                        done.increment();
                        if (reconnect) {
                            s.close();
                            s = null;
                        }
                    }
                } catch (IOException e) {
                    // the server stopped or refused: this client ends
                } finally {
                    try {
                        if (s != null) s.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }));
        }
        Thread.sleep(nanos / 1_000_000);
        stop.set(true);
        for (Thread t : threads) t.join(15_000);
        return done.sum();
    }

    /** Reads one hello-world response: a head, then Content-Length bytes. */
    private static void readResponse(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (true) {
            int k = in.read(buf, n, buf.length - n);
            if (k < 0) throw new IOException("closed");
            n += k;
            String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) continue;
            int i = text.indexOf("Content-Length: ");
            int len = Integer.parseInt(text.substring(i + 16, text.indexOf('\r', i)));
            if (n >= end + 4 + len) return;
        }
    }

    /** {requests, syscalls, EAGAIN} from the server's live stats (total), over a fresh connection. */
    static long[] stats(int port, String variant) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write("GET /_edgepoll/stats HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String total = all.substring(all.indexOf("\"total\""), all.indexOf("\"loops\": ["));
            long calls = 0, eagain = 0;
            Matcher m = Pattern.compile("\"calls\": (\\d+), \"ok\": \\d+, \"eagain\": (\\d+)").matcher(total);
            while (m.find()) {
                calls += Long.parseLong(m.group(1));
                eagain += Long.parseLong(m.group(2));
            }
            Matcher r = Pattern.compile("\"requests\": (\\d+)").matcher(total);
            return new long[] {r.find() ? Long.parseLong(r.group(1)) : 0, calls, eagain};
        }
    }

    static long[] cpuTicks(long pid) throws IOException {
        String stat = Files.readAllLines(Path.of("/proc/" + pid + "/stat")).get(0);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12])};  // utime, stime (fields 14, 15)
    }

    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return 0;
    }
}
