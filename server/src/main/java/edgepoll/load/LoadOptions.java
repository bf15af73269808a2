package edgepoll.load;

import edgepoll.config.Flags;
import java.util.List;

/**
 * The flags of {@code edgepoll.jar load}, parsed in the style of the server's {@link Options}: a bad
 * flag is an {@link IllegalArgumentException} whose message is the one line printed before exit 2.
 *
 * @param host        numeric address of the server
 * @param port        its port
 * @param protocol    http or echo
 * @param connections connections in total, spread round-robin over the threads
 * @param pipeline    requests in flight per connection
 * @param durationMs  measured time
 * @param warmupMs    time before it, run the same way but left out of every figure
 * @param rate        requests per second in total (open loop); 0 = closed loop
 * @param threads     generator threads, each with its own epoll instance and connections
 * @param messageSize echo: bytes per message
 * @param path        http: the request target
 * @param json        file for the results as JSON; null = none
 * @param quiet       no progress line
 */
public record LoadOptions(String host, int port, String protocol, int connections, int pipeline,
                          long durationMs, long warmupMs, long rate, int threads, int messageSize,
                          String path, String json, boolean quiet) {

    public static LoadOptions defaults() {
        return new LoadOptions("127.0.0.1", 8080, "http", 16, 1, 10_000, 1_000, 0, 1, 16, "/", null, false);
    }

    public boolean http() {
        return protocol.equals("http");
    }

    public boolean openLoop() {
        return rate > 0;
    }

    public static String usage() {
        LoadOptions d = defaults();
        return String.join("\n",
                "usage: java -jar edgepoll.jar load [options]   (a load generator for edgepoll's http and echo protocols)",
                "  --host ADDR           numeric IPv4/IPv6 address of the server (default " + d.host + ")",
                "  --port N              server port (default " + d.port + ")",
                "  --protocol http|echo  what to send (default " + d.protocol + ")",
                "  --connections N       connections in total (default " + d.connections + ")",
                "  --pipeline D          requests in flight per connection (default " + d.pipeline + ")",
                "  --duration D          measured time, e.g. 10s, 500ms (default 10s)",
                "  --warmup D            time before it, left out of the figures (default 1s)",
                "  --rate R              open loop: R requests/s in total at constant intervals, latency from each",
                "                        request's intended send time (wrk2's correction); default: closed loop",
                "  --threads T           generator threads, one epoll instance each (default " + d.threads + ")",
                "  --message-size B      echo: bytes per message (default " + d.messageSize + ")",
                "  --path P              http: request target (default " + d.path + ")",
                "  --json FILE           write the results as JSON (schema edgepoll-load/1)",
                "  --quiet               no progress line on stderr",
                "  --help                this text");
    }

    /** Parses {@code --flag value} and {@code --flag=value} forms. */
    public static LoadOptions parse(String[] args) {
        LoadOptions d = defaults();
        String host = d.host, protocol = d.protocol, path = d.path, json = d.json;
        int port = d.port, connections = d.connections, pipeline = d.pipeline, threads = d.threads;
        int messageSize = d.messageSize;
        long duration = d.durationMs, warmup = d.warmupMs, rate = d.rate;
        boolean quiet = d.quiet, sizeGiven = false, pathGiven = false;
        Flags f = new Flags(args);
        while (f.hasNext()) {
            String flag = f.next();
            switch (flag) {
                case "--quiet" -> quiet = true;
                case "--host" -> host = f.value();
                case "--port" -> port = f.intValue(1, 65535);
                case "--protocol" -> protocol = f.oneOf(List.of("http", "echo"));
                case "--connections" -> connections = f.intValue(1, 100_000);
                case "--pipeline" -> pipeline = f.intValue(1, 1024);
                case "--duration" -> duration = f.durationMsValue();
                case "--warmup" -> warmup = f.durationMsValue();
                case "--rate" -> rate = f.longValue(1, 100_000_000);
                case "--threads" -> threads = f.intValue(1, 256);
                case "--message-size" -> { messageSize = f.intValue(1, 1 << 20); sizeGiven = true; }
                case "--path" -> { path = f.value(); pathGiven = true; }
                case "--json" -> json = f.value();
                default -> throw new IllegalArgumentException("unknown option: " + flag + " (see load --help)");
            }
        }
        if (duration <= 0) throw new IllegalArgumentException("--duration must be more than 0");
        if (threads > connections) {
            throw new IllegalArgumentException("--threads " + threads + " needs at least as many --connections (" + connections + ")");
        }
        boolean http = protocol.equals("http");
        if (sizeGiven && http) throw new IllegalArgumentException("--message-size applies to --protocol echo only");
        if (pathGiven && !http) throw new IllegalArgumentException("--path applies to --protocol http only");
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("--path must start with / and hold no spaces or control bytes, not '" + path + "'");
        }
        if ((long) messageSize * pipeline > 64 << 20) {
            throw new IllegalArgumentException("--message-size × --pipeline must stay within 64 MiB");
        }
        return new LoadOptions(host, port, protocol, connections, pipeline, duration, warmup, rate, threads,
                messageSize, path, json, quiet);
    }
}
