package edgepoll.lab;

import edgepoll.config.Options;
import edgepoll.server.Server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code scripts/cork-nodelay}: seed 004's TCP_CORK / TCP_NODELAY advice, checked rather than
 * believed. The same pipelined workload runs against the ET server with neither option, with
 * {@code --nodelay}, with {@code --cork} and with both, and reports TCP segments per response
 * (the netns's /proc/net/snmp OutSegs delta, both directions, divided by responses) and the
 * latency of each pipelined batch.
 */
public final class CorkExperiment {
    private CorkExperiment() {}

    record Workload(String name, int depth, int bodyBytes, int rounds) {}

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        int scale = quick ? 4 : 1;
        List<Workload> workloads = List.of(
                new Workload("1 request per round trip, 13 B body", 1, 13, 2000 / scale),
                new Workload("16 pipelined, 13 B bodies (one write)", 16, 13, 400 / scale),
                new Workload("16 pipelined, 1.3 KiB bodies (two writes)", 16, 1300, 400 / scale));
        String[][] configs = {{}, {"--nodelay"}, {"--cork"}, {"--nodelay", "--cork"}};
        System.out.printf(Locale.ROOT, "%-42s %-18s %10s %12s %10s %10s%n", "workload", "server flags", "responses", "segments", "batch p50", "batch p99");
        System.out.printf(Locale.ROOT, "%-42s %-18s %10s %12s %10s %10s%n", "", "", "", "/response", "(us)", "(us)");
        for (Workload w : workloads) {
            for (String[] flags : configs) {
                run(w, flags);
            }
        }
    }

    static void run(Workload w, String[] flags) throws Exception {
        String[] args = new String[flags.length + 4];
        args[0] = "--port";
        args[1] = "0";
        args[2] = "--response-size";
        args[3] = Integer.toString(w.bodyBytes);
        System.arraycopy(flags, 0, args, 4, flags.length);
        Server server = Server.start(Options.parse(args));
        long[] latency = new long[w.rounds];
        long segsBefore, segsAfter;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);  // the client's own requests leave at once: only the server's choice is measured
            byte[] batch = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(w.depth).getBytes(StandardCharsets.US_ASCII);
            int responseBytes = -1;
            byte[] buf = new byte[1 << 16];
            for (int warm = 0; warm < 50; warm++) responseBytes = roundTrip(s, batch, buf, responseBytes, w.depth);
            segsBefore = outSegs();
            for (int r = 0; r < w.rounds; r++) {
                long t0 = System.nanoTime();
                roundTrip(s, batch, buf, responseBytes, w.depth);
                latency[r] = (System.nanoTime() - t0) / 1000;
            }
            segsAfter = outSegs();
        } finally {
            server.stop();
            server.close();
        }
        Arrays.sort(latency);
        long responses = (long) w.rounds * w.depth;
        System.out.printf(Locale.ROOT, "%-42s %-18s %10d %12.2f %10d %10d%n", w.name, flags.length == 0 ? "(none)" : String.join(" ", flags),
                responses, (double) (segsAfter - segsBefore) / responses, latency[latency.length / 2], latency[latency.length * 99 / 100]);
    }

    /** Sends one batch, reads its responses; the first call learns the response size from Content-Length. */
    private static int roundTrip(Socket s, byte[] batch, byte[] buf, int responseBytes, int depth) throws IOException {
        s.getOutputStream().write(batch);
        InputStream in = s.getInputStream();
        if (responseBytes < 0) {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.read());
            int i = head.indexOf("Content-Length: ");
            int body = Integer.parseInt(head.substring(i + 16, head.indexOf("\r", i)));
            responseBytes = head.length() + body;
            in.readNBytes(buf, 0, body + (depth - 1) * responseBytes);
            return responseBytes;
        }
        for (int left = responseBytes * depth; left > 0; ) {
            int n = in.read(buf, 0, Math.min(buf.length, left));
            if (n < 0) throw new IOException("closed");
            left -= n;
        }
        return responseBytes;
    }

    /** Tcp OutSegs of this network namespace (/proc/net/snmp). */
    static long outSegs() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (!lines.get(i).startsWith("Tcp:")) continue;
            String[] names = lines.get(i).split("\\s+"), values = lines.get(i + 1).split("\\s+");
            for (int k = 1; k < names.length; k++) {
                if (names[k].equals("OutSegs")) return Long.parseLong(values[k]);
            }
        }
        return -1;
    }
}
