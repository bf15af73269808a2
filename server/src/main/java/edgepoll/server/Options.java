package edgepoll.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every server flag and its default, parsed from the command line. A bad flag is an
 * {@link IllegalArgumentException} whose message is the one line Main prints before the usage.
 *
 * @param mode          event loop: et (edge-triggered epoll) or lt (level-triggered epoll)
 * @param drain         ET read drain: strict (read until EAGAIN) or short-read (stop at a short read)
 * @param protocol      http or echo
 * @param bind          numeric address to listen on
 * @param port          TCP port; 0 lets the kernel choose
 * @param loops         event loops, each with its own thread, epoll instance and SO_REUSEPORT listener
 * @param backlog       listen(2) backlog (the kernel caps it at net.core.somaxconn)
 * @param bufferSize    bytes asked of each read, and the size of a connection's input and output buffers
 * @param maxEvents     epoll_wait batch size
 * @param nodelay       TCP_NODELAY on accepted sockets
 * @param cork          TCP_CORK while a batch of pipelined responses is written
 * @param idleTimeoutMs close connections idle this long; 0 = never
 * @param statsJson     file to write the counters to at shutdown; null = none
 * @param responseSize  HTTP body bytes
 * @param maxHeaderBytes largest HTTP request head (request line and headers) accepted; beyond it 431
 * @param statsIntervalMs rewrite --stats-json and print a stats line to stderr this often; 0 = never
 * @param trace          file for the strace-like trace of the first connections; null = no trace
 * @param traceConnections how many connections (per loop) the trace follows
 * @param acceptPauseMs  accept nothing for this long after start (backlog experiment); 0 = off
 * @param once           blocking mode: serve one connection, then exit
 * @param maxThreads     threads mode: most connection threads alive at once
 * @param pollSleepMs    busy-poll mode: sleep between sweeps (the seed's time.sleep); 0 = spin
 * @param readTimeoutMs  blocking modes: SO_RCVTIMEO, drop a client silent this long; 0 = never
 * @param headerTimeoutMs event loops, HTTP: close a connection whose request head is not complete
 *                       this long after it began (or after accept); 0 = never
 * @param maxConnections event loops: connections beyond this many are accepted and closed at once; 0 = no limit
 */
public record Options(String mode, String drain, String protocol, String bind, int port, int loops,
                      int backlog, int bufferSize, int maxEvents, boolean nodelay, boolean cork,
                      long idleTimeoutMs, String statsJson, long responseSize, int maxHeaderBytes,
                      long statsIntervalMs, String trace, int traceConnections,
                      long acceptPauseMs, boolean once, int maxThreads, long pollSleepMs, long readTimeoutMs,
                      long headerTimeoutMs, int maxConnections) {

    /** Every --mode, from the seeds' first server to edge-triggered epoll. */
    public static final String[] MODES = {"blocking", "threads", "virtual-threads", "busy-poll", "poll", "lt", "et"};

    public static Options defaults() {
        return new Options("et", "strict", "http", "127.0.0.1", 8080, 1, 1024, 16384, 512,
                false, false, 0, null, 13, 8192, 0, null, 4, 0, false, 1024, 0, 0, 10_000, 0);
    }

    public boolean edgeTriggered() {
        return mode.equals("et");
    }

    /** blocking, threads and virtual-threads: one blocking call sequence per connection, no readiness API. */
    public boolean blockingModel() {
        return mode.equals("blocking") || mode.equals("threads") || mode.equals("virtual-threads");
    }

    public boolean shortRead() {
        return drain.equals("short-read");
    }

    public boolean http() {
        return protocol.equals("http");
    }

    /** The size of one pooled connection buffer: a whole request head must fit in one. */
    public int sliceSize() {
        return Math.max(bufferSize, maxHeaderBytes);
    }

    public static String usage() {
        Options d = defaults();
        return String.join("\n",
                "usage: java -jar edgepoll.jar [options]          (the server)",
                "       java -jar edgepoll.jar client [--host H] [--port P]   (the seeds' line client, for --protocol echo)",
                "  --mode MODE                  et|lt (epoll), poll, busy-poll, blocking, threads, virtual-threads (default " + d.mode + ")",
                "  --drain strict|short-read    ET only: read until EAGAIN, or stop at a short read (default " + d.drain + ")",
                "  --protocol http|echo         hello-world HTTP/1.1, or upper-case echo (default " + d.protocol + ")",
                "  --bind ADDR                  numeric IPv4/IPv6 address to listen on (default " + d.bind + ")",
                "  --port N                     TCP port, 0 = any free port (default " + d.port + ")",
                "  --loops N                    event loops, one thread + epoll + SO_REUSEPORT listener each (default " + d.loops + ")",
                "  --backlog N                  listen(2) backlog, capped by net.core.somaxconn (default " + d.backlog + ")",
                "  --buffer-size BYTES          bytes per read and per connection buffer (default " + d.bufferSize + ")",
                "  --max-events N               epoll_wait batch size (default " + d.maxEvents + ")",
                "  --nodelay                    set TCP_NODELAY on accepted sockets (default off)",
                "  --cork                       TCP_CORK while a batch of pipelined responses is written (default off)",
                "  --idle-timeout DURATION      close connections idle this long, 0 = never (default 0); e.g. 30s, 500ms",
                "  --stats-json FILE            write counters and ratios as JSON at shutdown (default none)",
                "  --stats-interval DURATION    also rewrite --stats-json and print a stats line to stderr this often, 0 = never (default 0)",
                "  --trace FILE                 write an strace-like trace of the first connections' syscalls (default none)",
                "  --trace-connections N        connections per loop the trace follows (default " + d.traceConnections + ")",
                "  --response-size BYTES        HTTP body size (default " + d.responseSize + ", the seed's \"Hello, world!\")",
                "  --max-header-bytes BYTES     largest request head accepted, else 431 (default " + d.maxHeaderBytes + ")",
                "  --accept-pause DURATION      accept nothing for this long after start, to fill the backlog (default 0)",
                "  --once                       blocking mode: serve one connection, then exit (the seed's first program)",
                "  --max-threads N              threads mode: most connection threads at once (default " + d.maxThreads + ")",
                "  --poll-sleep DURATION        busy-poll mode: sleep between sweeps, 0 = spin (default 0)",
                "  --read-timeout DURATION      blocking modes: SO_RCVTIMEO, drop a silent client after it, 0 = never (default 0)",
                "  --header-timeout DURATION    HTTP: close a connection whose request head takes longer, 0 = never (default 10s)",
                "  --max-connections N          connections beyond N are accepted and closed at once, 0 = no limit (default 0)",
                "  --help                       this text");
    }

    /** Parses {@code --flag value} and {@code --flag=value} forms. */
    public static Options parse(String[] args) {
        Options o = defaults();
        String mode = o.mode, drain = o.drain, protocol = o.protocol, bind = o.bind, statsJson = o.statsJson;
        int port = o.port, loops = o.loops, backlog = o.backlog, bufferSize = o.bufferSize, maxEvents = o.maxEvents;
        int maxHeaderBytes = o.maxHeaderBytes;
        boolean nodelay = o.nodelay, cork = o.cork, drainGiven = false;
        long idle = o.idleTimeoutMs, responseSize = o.responseSize, statsInterval = o.statsIntervalMs;
        String trace = o.trace;
        int traceConnections = o.traceConnections, maxThreads = o.maxThreads;
        long acceptPause = o.acceptPauseMs, pollSleep = o.pollSleepMs, readTimeout = o.readTimeoutMs;
        boolean once = o.once;
        long headerTimeout = o.headerTimeoutMs;
        int maxConnections = o.maxConnections;
        List<String> a = splitEquals(args);
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            switch (flag) {
                case "--nodelay" -> nodelay = true;
                case "--cork" -> cork = true;
                case "--once" -> once = true;
                case "--mode", "--drain", "--protocol", "--bind", "--port", "--loops", "--backlog",
                     "--buffer-size", "--max-events", "--idle-timeout", "--stats-json", "--response-size",
                     "--max-header-bytes", "--stats-interval", "--trace", "--trace-connections",
                     "--accept-pause", "--max-threads", "--poll-sleep", "--read-timeout", "--header-timeout",
                     "--max-connections" -> {
                    if (i + 1 >= a.size()) {
                        throw new IllegalArgumentException(flag + " needs a value");
                    }
                    String v = a.get(++i);
                    switch (flag) {
                        case "--mode" -> mode = oneOf(flag, v, "et", "lt", "poll", "busy-poll", "blocking", "threads", "virtual-threads");
                        case "--drain" -> { drain = oneOf(flag, v, "strict", "short-read"); drainGiven = true; }
                        case "--protocol" -> protocol = oneOf(flag, v, "http", "echo");
                        case "--bind" -> bind = v;
                        case "--port" -> port = (int) number(flag, v, 0, 65535);
                        case "--loops" -> loops = (int) number(flag, v, 1, 256);
                        case "--backlog" -> backlog = (int) number(flag, v, 1, Integer.MAX_VALUE);
                        case "--buffer-size" -> bufferSize = (int) number(flag, v, 64, 64 << 20);
                        case "--max-events" -> maxEvents = (int) number(flag, v, 1, 1 << 20);
                        case "--idle-timeout" -> idle = durationMs(flag, v);
                        case "--stats-json" -> statsJson = v;
                        case "--response-size" -> responseSize = number(flag, v, 0, 1L << 40);
                        case "--max-header-bytes" -> maxHeaderBytes = (int) number(flag, v, 64, 16 << 20);
                        case "--stats-interval" -> statsInterval = durationMs(flag, v);
                        case "--trace" -> trace = v;
                        case "--trace-connections" -> traceConnections = (int) number(flag, v, 1, 1_000_000);
                        case "--accept-pause" -> acceptPause = durationMs(flag, v);
                        case "--max-threads" -> maxThreads = (int) number(flag, v, 1, 1_000_000);
                        case "--poll-sleep" -> pollSleep = durationMs(flag, v);
                        case "--read-timeout" -> readTimeout = durationMs(flag, v);
                        case "--header-timeout" -> headerTimeout = durationMs(flag, v);
                        case "--max-connections" -> maxConnections = (int) number(flag, v, 0, Integer.MAX_VALUE);
                        default -> throw new AssertionError(flag);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option: " + flag);
            }
        }
        if (once && !mode.equals("blocking")) {
            throw new IllegalArgumentException("--once applies to --mode blocking only");
        }
        if (drainGiven && !mode.equals("et") && drain.equals("short-read")) {
            throw new IllegalArgumentException("--drain short-read applies to --mode et only");
        }
        return new Options(mode, drain, protocol, bind, port, loops, backlog, bufferSize, maxEvents,
                nodelay, cork, idle, statsJson, responseSize, maxHeaderBytes, statsInterval, trace, traceConnections,
                acceptPause, once, maxThreads, pollSleep, readTimeout, headerTimeout, maxConnections);
    }

    /** The arguments with every {@code --flag=value} split into {@code --flag value}; shared with the peer servers. */
    public static List<String> splitEquals(String[] args) {
        List<String> a = new ArrayList<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (s.startsWith("--") && eq > 0) {
                a.add(s.substring(0, eq));
                a.add(s.substring(eq + 1));
            } else {
                a.add(s);
            }
        }
        return a;
    }

    /** {@code v} if it is one of {@code allowed}, or the one-line error; shared with the peer servers. */
    public static String oneOf(String flag, String v, String... allowed) {
        for (String x : allowed) {
            if (x.equals(v)) return v;
        }
        throw new IllegalArgumentException(flag + " must be one of " + String.join("|", allowed) + ", not '" + v + "'");
    }

    /** A whole number in [min, max], or the one-line error; shared with the client and the load generator. */
    public static long number(String flag, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, not '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }

    /** "0", "250ms", "10s", "2m", or a bare number of seconds, in milliseconds. */
    public static long durationMs(String flag, String v) {
        String s = v.toLowerCase(Locale.ROOT);
        long unit = 1000;
        if (s.endsWith("ms")) { unit = 1; s = s.substring(0, s.length() - 2); }
        else if (s.endsWith("s")) { s = s.substring(0, s.length() - 1); }
        else if (s.endsWith("m")) { unit = 60_000; s = s.substring(0, s.length() - 1); }
        try {
            long n = Long.parseLong(s);
            if (n < 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(flag + " needs a duration like 500ms, 10s or 2m, not '" + v + "'");
        }
    }
}
