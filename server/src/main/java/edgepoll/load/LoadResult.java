package edgepoll.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run: counters summed over the generator threads, the latency histogram (in
 * nanoseconds), and the generator's own heap allocation per request. Prints the human summary and
 * the {@code edgepoll-load/1} JSON.
 *
 * @param allocPerRequest heap bytes the generator threads allocated per request in the measured
 *                        window; NaN when no request was counted
 */
public record LoadResult(LoadOptions options, double durationS, LoadCounters counters, Histogram latencyNs,
                         double allocPerRequest) {

    public long requests() {
        return counters.requests;
    }

    public long errors() {
        return counters.errors();
    }

    public double rps() {
        return counters.requests / durationS;
    }

    /** Bytes received per second (wrk's Transfer/sec). */
    public double bytesPerS() {
        return counters.bytesIn / durationS;
    }

    public long connectErrors() { return counters.connectErrors; }
    public long readErrors() { return counters.readErrors; }
    public long writeErrors() { return counters.writeErrors; }
    public long closed() { return counters.closed; }
    public long non2xx() { return counters.non2xx; }
    public long mismatches() { return counters.mismatches; }
    public long malformed() { return counters.malformed; }
    public long reconnects() { return counters.reconnects; }
    public long bytesIn() { return counters.bytesIn; }
    public long bytesOut() { return counters.bytesOut; }

    /** The latency at {@code percentile} (0-100), in microseconds. */
    public double latencyUs(double percentile) {
        return latencyNs.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxUs() {
        return latencyNs.getMaxValue() / 1000.0;
    }

    public double meanUs() {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getMean() / 1000.0;
    }

    /** The run in the spirit of wrk's report; the {@code Requests/sec:} line is wrk's, for scripts. */
    public String summary() {
        LoadOptions o = options;
        String target = o.http() ? "http://" + hostPort() + o.path() : "echo " + hostPort() + ", " + o.messageSize() + "-byte messages";
        String loop = o.openLoop() ? "open loop at " + o.rate() + " req/s (latency from each request's intended send time)" : "closed loop";
        LoadCounters c = counters;
        return String.format(Locale.ROOT, String.join("\n",
                        "edgepoll load: %s, %.2fs after %.2fs of warm-up",
                        "  %d connections, pipeline %d, %d thread%s, %s",
                        "  latency    p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  mean %s",
                        "  %d requests in %.2fs, %s read, %s written",
                        "  errors     %d: connect %d, read %d, write %d, closed by server %d, %s %d, malformed %d; reconnects %d",
                        "  generator  %s bytes allocated per request on its threads",
                        "Requests/sec: %.2f",
                        "Transfer/sec: %s", ""),
                target, durationS, o.warmupMs() / 1000.0,
                o.connections(), o.pipeline(), o.threads(), o.threads() == 1 ? "" : "s", loop,
                time(latencyUs(50)), time(latencyUs(90)), time(latencyUs(99)), time(latencyUs(99.9)), time(maxUs()), time(meanUs()),
                c.requests, durationS, bytes(c.bytesIn), bytes(c.bytesOut),
                c.errors(), c.connectErrors, c.readErrors, c.writeErrors, c.closed,
                o.http() ? "non-2xx" : "mismatched", o.http() ? c.non2xx : c.mismatches, c.malformed, c.reconnects,
                Double.isNaN(allocPerRequest) ? "n/a" : String.format(Locale.ROOT, "%.3f", allocPerRequest),
                rps(), bytes(bytesPerS()));
    }

    private String hostPort() {
        return Load.target(options);
    }

    /** {@code "schema":"edgepoll-load/1"}: see the load generator section of README.md. */
    public String toJson() {
        LoadOptions o = options;
        LoadCounters c = counters;
        return String.format(Locale.ROOT, "{\"schema\": \"edgepoll-load/1\", \"target\": \"%s\", \"protocol\": \"%s\", "
                        + "\"connections\": %d, \"pipeline\": %d, \"threads\": %d, \"rate\": %s, \"duration_s\": %.3f, \"warmup_s\": %.3f, "
                        + "\"requests\": %d, \"errors\": {\"total\": %d, \"connect\": %d, \"read\": %d, \"write\": %d, \"closed\": %d, "
                        + "\"non_2xx\": %d, \"mismatch\": %d, \"malformed\": %d}, \"reconnects\": %d, "
                        + "\"rps\": %.1f, \"bytes_per_s\": %.1f, \"bytes_in\": %d, \"bytes_out\": %d, "
                        + "\"latency_us\": {\"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"p999\": %.1f, \"max\": %.1f, \"mean\": %.1f}, "
                        + "\"client_alloc_bytes_per_request\": %s}\n",
                hostPort(), o.protocol(), o.connections(), o.pipeline(), o.threads(),
                o.openLoop() ? Long.toString(o.rate()) : "null", durationS, o.warmupMs() / 1000.0,
                c.requests, c.errors(), c.connectErrors, c.readErrors, c.writeErrors, c.closed, c.non2xx, c.mismatches,
                c.malformed, c.reconnects, rps(), bytesPerS(), c.bytesIn, c.bytesOut,
                latencyUs(50), latencyUs(90), latencyUs(99), latencyUs(99.9), maxUs(), meanUs(),
                Double.isNaN(allocPerRequest) ? "null" : String.format(Locale.ROOT, "%.3f", allocPerRequest));
    }

    public void writeJson(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    static String time(double us) {
        if (us < 1000) return String.format(Locale.ROOT, "%.0fus", us);
        if (us < 1_000_000) return String.format(Locale.ROOT, "%.2fms", us / 1000);
        return String.format(Locale.ROOT, "%.2fs", us / 1_000_000);
    }

    static String bytes(double b) {
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1fKB", b / 1024);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.2fMB", b / (1024 * 1024));
        return String.format(Locale.ROOT, "%.2fGB", b / (1024.0 * 1024 * 1024));
    }
}
