package edgepoll.bench.compare;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the harness reads off the machine and the servers around a measurement. */
final class Probes {
    private Probes() {}

    /**
     * Per-CPU busy, steal and total jiffies from /proc/stat, to tell a saturated CPU from an idle one
     * and see the hypervisor take one (steal: time this virtual CPU was runnable but the host ran
     * something else). Busy leaves steal out: it is time nothing here ran.
     */
    record CpuTimes(long[] busy, long[] steal, long[] total) {
        static CpuTimes read() throws IOException {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            int n = 0;
            for (String l : lines) if (l.matches("^cpu\\d+ .*")) n++;
            long[] busy = new long[n], steal = new long[n], total = new long[n];
            for (String l : lines) {
                if (!l.matches("^cpu\\d+ .*")) continue;
                String[] f = l.trim().split("\\s+");
                int cpu = Integer.parseInt(f[0].substring(3));
                long sum = 0;
                for (int i = 1; i < Math.min(f.length, 9); i++) sum += Long.parseLong(f[i]);  // user..steal
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);  // idle + iowait
                long st = f.length > 8 ? Long.parseLong(f[8]) : 0;
                busy[cpu] = sum - idle - st;
                steal[cpu] = st;
                total[cpu] = sum;
            }
            return new CpuTimes(busy, steal, total);
        }

        /** Percent of {@code cpu}'s time stolen by the host between {@code before} and this reading; NaN if unknown. */
        double stealPercent(CpuTimes before, int cpu) {
            if (cpu < 0 || cpu >= steal.length) return Double.NaN;
            long t = total[cpu] - before.total[cpu];
            return t <= 0 ? Double.NaN : 100.0 * (steal[cpu] - before.steal[cpu]) / t;
        }

        /** Percent of {@code cpu} busy between {@code before} and this reading; NaN if unknown. */
        double busyPercent(CpuTimes before, int cpu) {
            if (cpu < 0 || cpu >= busy.length) return Double.NaN;
            long t = total[cpu] - before.total[cpu];
            return t <= 0 ? Double.NaN : 100.0 * (busy[cpu] - before.busy[cpu]) / t;
        }
    }

    /**
     * edgepoll's live stats ({@code GET /_edgepoll/stats}): served by the loop, not counted as a
     * request. Each fetch is one request on a new connection, read by its Content-Length, then
     * closed: the same path every wrk connection takes at the end of a run. A kept-alive connection
     * that only ever asks for stats would be dropped by the header timeout (stats requests do not
     * count as requests, so the server never re-arms it), and java.net.http would add its h2c
     * upgrade headers, a request shape the loop meets nowhere else. {@code host} is the address the
     * server listens on (over a link, the harness runs in the servers' namespace: no veth crossing).
     */
    record EdgepollStats(long requests, long allocatedBytes, Map<String, Long> syscalls) {
        static EdgepollStats fetch(String host, int port) throws IOException {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(("GET /_edgepoll/stats HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) throw new IOException("edgepoll closed the stats connection mid-head: " + head);
                    head.write(b);
                }
                Matcher m = CONTENT_LENGTH.matcher(head.toString(StandardCharsets.US_ASCII));
                if (!m.find()) throw new IOException("no Content-Length in the stats reply: " + head);
                return parse(new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8));
            }
        }

        private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

        /** From a stats JSON (live or --stats-json): the "total" counters and loop 0's allocation. */
        static EdgepollStats parse(String json) {
            String total = Json.object(json, "total");
            if (total == null) throw new IllegalArgumentException("no \"total\" in edgepoll stats");
            Map<String, Long> calls = new LinkedHashMap<>();
            String sys = Json.object(total, "syscalls");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-z_0-9()A-Z]+)\": \\{\"calls\": (\\d+)").matcher(sys);
            while (m.find()) calls.put(m.group(1), Long.parseLong(m.group(2)));
            int loops = json.indexOf("\"loops\"");
            long allocated = (long) Json.number(json.substring(loops), "allocated_bytes");
            return new EdgepollStats((long) Json.number(total, "requests"), allocated, calls);
        }

        static long bytesIn(String json) {
            return (long) Json.number(Json.object(json, "total"), "bytes_in");
        }

        /** Syscalls per request between {@code before} and this snapshot, by syscall, and their sum. */
        Map<String, Double> perRequest(EdgepollStats before, long requests) {
            Map<String, Double> r = new LinkedHashMap<>();
            double sum = 0;
            for (Map.Entry<String, Long> e : syscalls.entrySet()) {
                long d = e.getValue() - before.syscalls.getOrDefault(e.getKey(), 0L);
                if (d == 0) continue;
                r.put(e.getKey(), (double) d / requests);
                sum += (double) d / requests;
            }
            r.put("total", sum);
            return r;
        }
    }

    /**
     * Parses {@code strace -c} output into calls by syscall (the table's "calls" column); strace
     * prints it when it detaches.
     */
    static Map<String, Long> parseStraceSummary(String out) {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || !f[0].matches("[0-9.]+") || f[f.length - 1].equals("total")) continue;
            calls.put(f[f.length - 1], Long.parseLong(f[3]));
        }
        return calls;
    }
}
