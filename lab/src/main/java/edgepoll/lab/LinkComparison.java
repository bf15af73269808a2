package edgepoll.lab;

import edgepoll.stats.SyscallCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code scripts/syscalls-et-vs-lt --link SPEC}: the table's workloads for et, et-short-read and lt,
 * each twice: on this namespace's loopback (an in-process server, as the plain table) and over the
 * link to the server's namespace (a server process there, {@link NetnsServer}), one row each, side by
 * side. Runs inside the load's namespace; the script made the link (scripts/lib/linklab.sh) and
 * passes {@code --netns NS --host ADDR --link DESCRIPTION}. Adds the columns the link moves: EAGAIN
 * reads, short reads, partial sends, EPOLLOUT events with replies waiting.
 */
final class LinkComparison {
    private LinkComparison() {}

    static final String[] VARIANTS = {"et", "et-short-read", "lt"};
    private static final String HEAD = "%-15s %-14s %-9s %8s %9s %9s %8s %8s %8s %8s %8s %9s %9s %9s";
    private static final String ROW = "%-15s %-14s %-9s %8d %9.2f %9.3f %8.2f %8.2f %8.3f %8.3f %8.3f %9.3f %9.3f %9.0f";

    public static void main(String[] args) throws Exception {
        String netns = null, host = null, link = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--netns" -> netns = args[i + 1];
                case "--host" -> host = args[i + 1];
                case "--link" -> link = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (netns == null || host == null || link == null || args.length % 2 != 0) {
            System.err.println("usage: LinkComparison --netns NS --host ADDR --link DESCRIPTION (scripts/syscalls-et-vs-lt --link makes them)");
            System.exit(2);
        }
        long start = System.nanoTime();
        List<String> rows = new ArrayList<>();
        rows.add("# link: " + link);
        rows.add(String.format(Locale.ROOT, HEAD, "workload", "mode", "path", "requests", "syscalls", "epoll_wait", "events",
                "reads", "EAGAIN", "short", "partial", "EPOLLOUT", "epoll_ctl", "bytes"));
        rows.add(String.format(Locale.ROOT, HEAD, "", "", "", "", "/request", "/request", "/wakeup",
                "/request", "reads/req", "reads/req", "sends/req", "events/req", "/request", "/write"));
        int done = 0, total = SyscallComparison.WORKLOADS.size() * VARIANTS.length * 2;
        for (SyscallComparison.Workload w : SyscallComparison.WORKLOADS) {
            for (String v : VARIANTS) {
                progress(++done, total, w, v, "loopback", start);
                SyscallCounters c = SyscallComparison.run(w, v);
                rows.add(row(w, v, "loopback", ComparisonCounts.of(w.requests(), c)));
                progress(++done, total, w, v, "link", start);
                rows.add(row(w, v, "link", ComparisonCounts.ofJson(w.requests(), overLink(w, v, netns, host))));
            }
        }
        System.err.printf(Locale.ROOT, "\rdone in %.1f s%50s%n", (System.nanoTime() - start) / 1e9, "");
        for (String r : rows) System.out.println(r);
    }

    private static void progress(int done, int total, SyscallComparison.Workload w, String v, String path, long start) {
        System.err.printf(Locale.ROOT, "\r[%2d/%d] %-15s %-14s %-9s %5.1f s", done, total, w.name(), v, path, (System.nanoTime() - start) / 1e9);
    }

    /** One run over the link: a server process in {@code netns}; returns its stats JSON. */
    static String overLink(SyscallComparison.Workload w, String variant, String netns, String host) throws Exception {
        try (NetnsServer server = NetnsServer.start(netns, host, SyscallComparison.flags(w, variant))) {
            SyscallComparison.drive(w, host, server.port());
            Thread.sleep(100);  // the loop sees every FIN and closes before it is stopped
            return server.stop();
        }
    }

    private static String row(SyscallComparison.Workload w, String variant, String path, ComparisonCounts c) {
        return String.format(Locale.ROOT, ROW, w.name(), variant, path, c.requests(), c.perRequest(c.calls()),
                c.perRequest(c.waits()), c.eventsPerWakeup(), c.perRequest(c.reads()), c.perRequest(c.readEagain()),
                c.perRequest(c.shortReads()), c.perRequest(c.partialSends()), c.perRequest(c.writable()),
                c.perRequest(c.ctl()), c.bytesPerWrite());
    }
}
