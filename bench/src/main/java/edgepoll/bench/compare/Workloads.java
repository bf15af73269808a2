package edgepoll.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load the comparison applies, always from a process pinned to the load CPU: wrk (one thread)
 * for HTTP keep-alive and pipelined, edgepoll's own {@code load} for echo, which wrk cannot speak, and
 * the C open-loop generator (bench/src/main/c/rateload.c) for the fixed-rate workloads.
 *
 * <p>Closed loop (wrk, load) is as fast as the slower side allows: it ranks throughput, but each server
 * then meets its own arrival pattern (one that keeps up sleeps in epoll_wait and is woken per request,
 * one that falls behind takes dozens of requests per wake-up), so its CPU per request mixes its code
 * with its queueing state. The fixed-rate workloads offer every server the same requests at the same
 * times, below every server's saturation: CPU per request there compares what each server does per
 * request, like for like. The report shows both; the targets are checked on both.
 */
final class Workloads {
    private Workloads() {}

    /**
     * A workload; {@code depth} is the pipelining depth (1: one request in flight per connection);
     * {@code rate} the fixed request (echo: message) rate per second, 0 for a closed loop.
     */
    record Workload(String name, String protocol, int connections, int depth, int rate) {
        Workload(String name, String protocol, int connections, int depth) {
            this(name, protocol, connections, depth, 0);
        }

        String label() {
            String shape = protocol.equals("echo") ? "echo c=" + connections
                    : depth > 1 ? "pipelined " + depth + " c=" + connections : "keep-alive c=" + connections;
            return rate == 0 ? shape : String.format(Locale.ROOT, "%s at %,d %s/s", shape, rate, protocol.equals("echo") ? "msg" : "req");
        }
    }

    /**
     * The fixed rate: under every server's closed-loop throughput here (the slowest, edgepoll-uring and
     * c-lt, answer 47,000–52,000 req/s to wrk at half their CPU), so no server falls behind it, and high
     * enough that each server spends 40–60% of its CPU on it.
     */
    static final int RATE = 40_000;

    static final List<Workload> ALL = List.of(
            new Workload("http-c16", "http", 16, 1),
            new Workload("http-c64", "http", 64, 1),
            new Workload("http-c256", "http", 256, 1),
            new Workload("http-pipe16-c16", "http", 16, 16),
            new Workload("echo-c64", "echo", 64, 1),
            new Workload("http-rate-c64", "http", 64, 1, RATE),
            new Workload("echo-rate-c64", "echo", 64, 1, RATE));

    static Workload byName(String name) {
        for (Workload w : ALL) if (w.name.equals(name)) return w;
        throw new IllegalArgumentException("unknown workload: " + name);
    }

    /** One measurement: requests (echo: messages) answered, latency percentiles in microseconds. */
    record Measurement(long requests, double seconds, double rps, double p50us, double p99us, long errors) {}

    /**
     * wrk's own pipelining idiom (its scripts/pipeline.lua): request() hands wrk {@code depth}
     * requests in one string, so they leave in one write and wrk counts each response.
     */
    static Path pipelineScript(Path dir, int depth) throws IOException {
        Path p = dir.resolve("pipeline-" + depth + ".lua");
        Files.writeString(p, """
                init = function(args)
                   local r = {}
                   for i = 1, %d do r[i] = wrk.format(nil, "/") end
                   req = table.concat(r)
                end
                request = function() return req end
                """.formatted(depth));
        return p;
    }

    static Measurement run(Workload w, int port, double seconds, Config cfg, Path dir) throws IOException, InterruptedException {
        if (w.rate > 0) return rateload(w, port, seconds, cfg);
        return w.protocol.equals("echo") ? load(w, port, seconds, cfg, dir) : wrk(w, port, seconds, cfg, dir);
    }

    /**
     * The C open-loop generator at the workload's rate, Poisson arrivals from a fixed seed (the same
     * sequence for every server), spinning on its own CPU (rateload.c says why for both);
     * latency from each request's due time. When over 1% of a window's requests left more than 1 ms
     * after they were due (the server or the generator fell behind), the window did not offer what it
     * says: those late requests count as errors, and the errors column shows it. Fewer are this VM's
     * pauses, seen in p99.
     */
    private static Measurement rateload(Workload w, int port, double seconds, Config cfg) throws IOException, InterruptedException {
        List<String> cmd = cfg.load().command(List.of(cfg.rateload().toString(), "--host", cfg.load().host(), "--port", String.valueOf(port), "--protocol", w.protocol,
                "--connections", String.valueOf(w.connections), "--rate", String.valueOf(w.rate),
                "--message-size", String.valueOf(ECHO_MESSAGE), "--duration", String.valueOf(Math.round(seconds)), "--wait", "spin", "--arrivals", "poisson"));
        return parseRateload(exec(cmd, seconds + 30));
    }

    /** Parses rateload's "key value" lines. */
    static Measurement parseRateload(String out) throws IOException {
        Map<String, Double> v = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2 && kv[1].matches("[\\d.]+")) v.put(kv[0], Double.parseDouble(kv[1]));
        }
        for (String k : List.of("requests", "seconds", "rps", "p50_us", "p99_us", "late", "errors")) {
            if (!v.containsKey(k)) throw new IOException("rateload printed no " + k + ":\n" + out);
        }
        long requests = v.get("requests").longValue(), late = v.get("late").longValue();
        long errors = v.get("errors").longValue() + (late > 0.01 * requests ? late : 0);
        return new Measurement(requests, v.get("seconds"), v.get("rps"), v.get("p50_us"), v.get("p99_us"), errors);
    }

    private static Measurement wrk(Workload w, int port, double seconds, Config cfg, Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cfg.wrk(), "-t1", "-c" + w.connections, "-d" + Math.round(seconds) + "s", "--latency", "--timeout", "5s"));
        if (w.depth > 1) cmd.addAll(List.of("-s", pipelineScript(dir, w.depth).toString()));
        cmd.add(cfg.load().url(port));
        Measurement m = parseWrk(exec(cfg.load().command(cmd), seconds + 30));
        // wrk times only the first response of a pipelined batch (its other percentiles print as 0):
        // no latency is reported for pipelined runs rather than a wrong one.
        return w.depth > 1 ? new Measurement(m.requests(), m.seconds(), m.rps(), Double.NaN, Double.NaN, m.errors()) : m;
    }

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Parses wrk's report (requests, duration, the --latency percentiles, errors). */
    static Measurement parseWrk(String out) throws IOException {
        Matcher m = REQUESTS.matcher(out);
        if (!m.find()) throw new IOException("wrk printed no request count:\n" + out);
        long requests = Long.parseLong(m.group(1));
        double secs = toMicros(Double.parseDouble(m.group(2)), m.group(3)) / 1e6;
        double p50 = Double.NaN, p99 = Double.NaN;
        Matcher p = PERCENTILE.matcher(out);
        while (p.find()) {
            double us = toMicros(Double.parseDouble(p.group(2)), p.group(3));
            if (p.group(1).equals("50")) p50 = us; else p99 = us;
        }
        long errors = 0;
        Matcher e = SOCKET_ERRORS.matcher(out);
        if (e.find()) {
            // connect/read/write errors and timeouts; "read" includes connections the server closed
            for (int g = 1; g <= 4; g++) errors += Long.parseLong(e.group(g));
        }
        Matcher n = NON_2XX.matcher(out);
        if (n.find()) errors += Long.parseLong(n.group(1));
        return new Measurement(requests, secs, requests / secs, p50, p99, errors);
    }

    private static double toMicros(double v, String unit) {
        return switch (unit) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            case "m" -> v * 60e6;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    /** edgepoll's load generator, closed loop, for echo; its JSON carries the figures. */
    private static Measurement load(Workload w, int port, double seconds, Config cfg, Path dir) throws IOException, InterruptedException {
        Path json = Files.createTempFile(dir, "load-", ".json");
        List<String> cmd = new ArrayList<>(cfg.jvm());
        cmd.addAll(List.of("-jar", cfg.edgepollJar().toString(), "load", "--quiet", "--host", cfg.load().host(), "--port", String.valueOf(port),
                "--protocol", w.protocol, "--connections", String.valueOf(w.connections),
                "--pipeline", String.valueOf(w.depth), "--message-size", String.valueOf(ECHO_MESSAGE),
                "--warmup", "0s", "--duration", Math.round(seconds) + "s", "--json", json.toString()));
        exec(cfg.load().command(cmd), seconds + 30);
        String j = Files.readString(json);
        Files.delete(json);
        long requests = (long) Json.number(j, "requests");
        double secs = Json.number(j, "duration_s");
        long errors = (long) Json.sum(j, "errors");
        return new Measurement(requests, secs, Json.number(j, "rps"), Json.number(j, "p50"), Json.number(j, "p99"), errors);
    }

    /** Bytes per echo message: a small request, as in the HTTP workloads. */
    static final int ECHO_MESSAGE = 64;

    static String exec(List<String> cmd, double timeoutS) throws IOException, InterruptedException {
        Path log = Files.createTempFile("edgepoll-compare-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor((long) (timeoutS * 1000), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutS + " s: " + String.join(" ", cmd));
            }
            String s = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IOException(String.format(Locale.ROOT, "exit %d: %s%n%s", p.exitValue(), String.join(" ", cmd), s));
            }
            return s;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
