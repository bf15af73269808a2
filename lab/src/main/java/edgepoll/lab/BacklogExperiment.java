package edgepoll.lab;

import edgepoll.config.Options;
import edgepoll.server.Server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code scripts/backlog-experiment}: seed 001's "Listen Backlog Queue Size" section, made
 * observable on loopback. A server with a small {@code --backlog} accepts nothing for a while
 * ({@code --accept-pause}); a burst of clients connects at once; the kernel's ListenOverflows and
 * ListenDrops (/proc/net/netstat), the accept queue's length (/proc/net/tcp), how each client's
 * connect ended and how long it took (SYN retransmissions land near 1 s and 3 s) are reported.
 * Run twice when it may change the setting in its own network namespace: with
 * tcp_abort_on_overflow 0 (overflowing clients are dropped and retry) and 1 (they get a reset).
 */
public final class BacklogExperiment {
    private BacklogExperiment() {}

    record Outcome(String kind, long connectMs) {}

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        boolean ownNetns = List.of(args).contains("--netns");
        int backlog = quick ? 8 : 128;
        int clients = quick ? 100 : 1000;
        long pauseMs = quick ? 2_000 : 5_000;
        int timeoutMs = quick ? 6_000 : 15_000;
        // Files.readString sees only the first byte of a /proc/sys file on JDK 25; readAllLines reads it whole.
        int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).strip());
        System.out.printf(Locale.ROOT, "backlog experiment: --backlog %d (net.core.somaxconn %d, so the kernel uses %d), %d clients at once,"
                + " accepting paused %d ms, connect timeout %d ms%n", backlog, somaxconn, Math.min(backlog, somaxconn), clients, pauseMs, timeoutMs);
        long overflowsA = run(backlog, clients, pauseMs, timeoutMs, ownNetns ? 0 : -1);
        if (ownNetns) {
            run(backlog, clients, pauseMs, timeoutMs, 1);
        } else {
            System.out.println("(not in a network namespace of its own: tcp_abort_on_overflow is left as it is and not varied;"
                    + " scripts/backlog-experiment creates one when it runs as root with unshare)");
        }
        System.out.println("RESULT listen_overflows_grew=" + (overflowsA > 0));
    }

    /** One run; {@code abort} is the tcp_abort_on_overflow to set, or -1 to leave it. Returns the ListenOverflows delta. */
    static long run(int backlog, int clients, long pauseMs, int timeoutMs, int abort) throws Exception {
        Path abortFile = Path.of("/proc/sys/net/ipv4/tcp_abort_on_overflow");
        if (abort >= 0) Files.writeString(abortFile, Integer.toString(abort));
        String setting = Files.readAllLines(abortFile).get(0).strip();  // readString sees 1 byte of a /proc/sys file
        long[] before = listenCounters();
        Server server = Server.start(Options.parse(new String[] {"--port", "0", "--backlog", Integer.toString(backlog),
                "--accept-pause", pauseMs + "ms"}));
        List<Outcome> outcomes = new ArrayList<>();
        int maxQueue;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long t0 = System.nanoTime();
            List<Future<Outcome>> fs = new ArrayList<>();
            for (int i = 0; i < clients; i++) fs.add(pool.submit(() -> client(server.port(), timeoutMs)));
            Thread.sleep(Math.min(pauseMs / 2, 1_000));
            maxQueue = acceptQueue(server.port());
            for (Future<Outcome> f : fs) outcomes.add(f.get());
            System.out.printf(Locale.ROOT, "%ntcp_abort_on_overflow=%s: all clients done after %.1f s%n", setting, (System.nanoTime() - t0) / 1e9);
        } finally {
            server.stop();
            server.close();
        }
        long[] after = listenCounters();
        long served = outcomes.stream().filter(o -> o.kind.equals("served")).count();
        System.out.printf(Locale.ROOT, "  accept queue while paused (/proc/net/tcp rx_queue): %d = backlog %d + 1%n", maxQueue, backlog);
        System.out.printf(Locale.ROOT, "  TcpExt ListenOverflows +%d, ListenDrops +%d%n", after[0] - before[0], after[1] - before[1]);
        System.out.printf(Locale.ROOT, "  clients: %d served, %d timed out, %d reset or refused%n", served,
                outcomes.stream().filter(o -> o.kind.equals("timeout")).count(),
                outcomes.stream().filter(o -> o.kind.equals("reset")).count());
        long[] bucket = new long[5];
        String[] label = {"< 0.5 s (queued at once)", "0.5-2 s (1st SYN retry, ~1 s)", "2-5 s (2nd retry, ~3 s)", "5-10 s (3rd retry, ~7 s)", ">= 10 s"};
        for (Outcome o : outcomes) {
            if (o.connectMs < 0) continue;
            bucket[o.connectMs < 500 ? 0 : o.connectMs < 2_000 ? 1 : o.connectMs < 5_000 ? 2 : o.connectMs < 10_000 ? 3 : 4]++;
        }
        System.out.println("  connect() latency of the clients that connected:");
        for (int i = 0; i < bucket.length; i++) System.out.printf(Locale.ROOT, "    %-32s %5d%n", label[i], bucket[i]);
        return after[0] - before[0];
    }

    /** Connect, send one request, read the response: "served", "timeout" or "reset". */
    private static Outcome client(int port, int timeoutMs) {
        long t0 = System.nanoTime();
        long connectMs = -1;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            connectMs = (System.nanoTime() - t0) / 1_000_000;
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return new Outcome(reply.startsWith("HTTP/1.1 200") ? "served" : "reset", connectMs);
        } catch (SocketTimeoutException e) {
            return new Outcome("timeout", connectMs);
        } catch (IOException e) {
            return new Outcome("reset", connectMs);
        }
    }

    /** TcpExt ListenOverflows and ListenDrops of this network namespace. */
    static long[] listenCounters() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (!lines.get(i).startsWith("TcpExt:")) continue;
            String[] names = lines.get(i).split("\\s+"), values = lines.get(i + 1).split("\\s+");
            long o = 0, d = 0;
            for (int k = 1; k < names.length; k++) {
                if (names[k].equals("ListenOverflows")) o = Long.parseLong(values[k]);
                if (names[k].equals("ListenDrops")) d = Long.parseLong(values[k]);
            }
            return new long[] {o, d};
        }
        return new long[2];
    }

    /** rx_queue of the LISTEN socket on {@code port}: the accept queue's length now. */
    static int acceptQueue(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 4 && f[1].endsWith(hexPort) && f[3].equals("0A")) {  // 0A = LISTEN
                    return Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
        }
        return -1;
    }
}
