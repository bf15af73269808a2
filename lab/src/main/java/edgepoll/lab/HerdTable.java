package edgepoll.lab;

import java.util.List;
import java.util.Locale;

/** The herd experiment's text output (docs/many-loops.md quotes it): one progress line per run, and the result table. */
final class HerdTable {
    private HerdTable() {}

    static String line(HerdExperiment.Run r) {
        return String.format(Locale.ROOT, "%-2s %-9s N=%d %-10s served %d/%d (refused %d, failed %d), %.2f wake-ups/conn, wasted %.2f/conn (EAGAIN %.2f), share %.0f-%.0f%%, %.1f syscalls/conn, p99 %.2f ms, fds %s, %.1f s%s",
                r.mode(), r.listener(), r.loops(), r.storm(), r.served(), r.clients(), r.refused(), r.failed(),
                r.wakeupsPerConnection(), r.wastedPerConnection(), r.emptyAcceptsPerConnection(), 100 * r.minShare(), 100 * r.maxShare(),
                r.syscallsPerConnection(), r.p99Ms(), r.fdsBack() ? "ok" : "LEAKED", r.seconds(),
                r.storm().equals(HerdExperiment.PACED) ? ", pace misses " + r.paceMisses() : "");
    }

    /** The result table: one row per run. */
    static String table(List<HerdExperiment.Run> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-4s %-10s %3s %-10s %9s %8s %8s %8s %9s %9s %9s %5s%n", "mode", "listener", "N",
                "load", "served", "wake-ups", "wasted", "EAGAIN", "share", "sys/conn", "p99 ms", "fds"));
        for (HerdExperiment.Run r : runs) {
            sb.append(String.format(Locale.ROOT, "%-4s %-10s %3d %-10s %9s %8.2f %8s %8.2f %4.0f-%3.0f%% %9.1f %9.2f %5s%n",
                    r.mode(), r.listener(), r.loops(), r.storm(), r.served() + "/" + r.clients(), r.wakeupsPerConnection(),
                    // keep-alive: the wake-ups are the requests', not the accepts'; only EAGAIN and the shares speak of the herd
                    r.isStorm() ? String.format(Locale.ROOT, "%.2f", r.wastedPerConnection()) : "-",
                    r.emptyAcceptsPerConnection(),
                    100 * r.minShare(), 100 * r.maxShare(), r.syscallsPerConnection(), r.p99Ms(), r.fdsBack() ? "ok" : "LEAK"));
        }
        return sb.toString();
    }
}
