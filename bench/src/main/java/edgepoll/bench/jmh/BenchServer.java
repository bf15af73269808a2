package edgepoll.bench.jmh;

import edgepoll.config.Options;
import edgepoll.server.Server;
import edgepoll.stats.Stats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The real edgepoll server, in the benchmark's own JVM on an ephemeral port, one loop, in one of the
 * modes the suite compares ({@code et}, {@code lt}, {@code et-short-read}, {@code poll}), and its
 * loop thread's allocation per request, read from its live stats around each measured iteration.
 */
final class BenchServer implements AutoCloseable {
    final Server server;
    private final String label;
    private long allocAtStart = -1, requestsAtStart;
    private long measuredAlloc, measuredRequests;

    private BenchServer(Server server, String label) {
        this.server = server;
        this.label = label;
    }

    /** Starts {@code mode} with the extra flags (e.g. a response size). */
    static BenchServer start(String mode, String label, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--nodelay", "--max-connections", "0"));
        switch (mode) {
            case "et" -> args.addAll(List.of("--mode", "et"));
            case "lt" -> args.addAll(List.of("--mode", "lt"));
            case "et-short-read" -> args.addAll(List.of("--mode", "et", "--drain", "short-read"));
            case "poll" -> args.addAll(List.of("--mode", "poll"));
            default -> throw new IllegalArgumentException("mode " + mode);
        }
        args.addAll(List.of(extra));
        return new BenchServer(Server.start(Options.parse(args.toArray(String[]::new))), label + " mode=" + mode);
    }

    int port() {
        return server.port();
    }

    /** Called before a measured iteration. */
    void iterationStarts() {
        Stats s = server.liveStats();
        allocAtStart = s.loops().get(0).allocatedBytes();
        requestsAtStart = s.total().requests();
    }

    /** Called after a measured iteration: adds its allocation and requests to the trial's. */
    void iterationEnds() {
        if (allocAtStart < 0) return;
        Stats s = server.liveStats();
        measuredAlloc += s.loops().get(0).allocatedBytes() - allocAtStart;
        measuredRequests += s.total().requests() - requestsAtStart;
        allocAtStart = -1;
    }

    /**
     * Stops the server and prints the loop thread's bytes per request over the measured iterations
     * (the warm-up excluded); with {@code -Dedgepoll.bench.alloc=FILE} also appends it there.
     */
    @Override
    public void close() throws Exception {
        server.stop();
        server.close();
        double perRequest = measuredRequests == 0 ? Double.NaN : (double) measuredAlloc / measuredRequests;
        String line = String.format(Locale.ROOT, "server bytes/request (loop thread, measured iterations): %.3f  [%s, %d requests]",
                perRequest, label, measuredRequests);
        System.out.println();
        System.out.println(line);
        String file = System.getProperty("edgepoll.bench.alloc");
        if (file != null) {
            try {
                Files.writeString(Path.of(file), line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("cannot append to " + file + ": " + e.getMessage());
            }
        }
    }
}
