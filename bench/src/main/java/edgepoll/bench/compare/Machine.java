package edgepoll.bench.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine and the versions a report was measured with, for its header. */
final class Machine {
    private Machine() {}

    static String describe(Config cfg) {
        StringBuilder b = new StringBuilder("| | |\n|---|---|\n");
        row(b, "CPU", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        row(b, "kernel", firstLine(Path.of("/proc/sys/kernel/osrelease")));
        row(b, "JDK (every JVM server)", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.version")
                + ", flags `" + String.join(" ", cfg.jvm().subList(1, cfg.jvm().size())) + "`");
        row(b, "Netty", nettyVersion());
        row(b, "nginx", cfg.nginx() == null ? "not installed" : version(List.of(cfg.nginx(), "-v")));
        row(b, "wrk", version(List.of(cfg.wrk(), "--version")));
        row(b, "network", cfg.load().network());
        row(b, "pinning", cfg.pinServer().isEmpty() ? "none" : "server on CPU " + cfg.serverCpu() + ", load on CPU " + cfg.loadCpu() + " (taskset)");
        row(b, "timing", String.format(Locale.ROOT, "%.0f s warm-up per server, then %d blocks of %.0f s windows (each server once per "
                + "workload per block), order seed %d%s", cfg.warmupS(), cfg.blocks(), cfg.durationS(), cfg.seed(),
                cfg.quick() ? " (--quick)" : cfg.targetsOnly() ? " (--targets-only)" : ""));
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (Exception ignored) {
            // fall through
        }
        return "unknown CPU";
    }

    private static String firstLine(Path p) {
        try {
            return Files.readAllLines(p).get(0).trim();  // readAllLines: readString sees one byte of /proc/sys files
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** From the versions file Netty's jars carry (asking Netty itself would initialise its Unsafe access). */
    private static String nettyVersion() {
        try (var in = Machine.class.getResourceAsStream("/META-INF/io.netty.versions.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("netty-transport-native-epoll.version", p.getProperty("netty-transport.version", "unknown"));
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** The first line a tool prints about its version (nginx and wrk print it on stderr, wrk exits 1). */
    private static String version(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out.isEmpty() ? "unknown" : out.lines().findFirst().orElse("unknown").replace("|", "/");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
