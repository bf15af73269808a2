package edgepoll.config;

import java.util.List;

/**
 * Every server flag and its default, parsed from the command line. A bad flag is an
 * {@link IllegalArgumentException} whose message is the one line Main prints before the usage.
 *
 * @param mode          one of {@link #MODES}: the epoll loops et and lt, poll, busy-poll, or a blocking model
 * @param drain         ET read drain: strict (read until EAGAIN) or short-read (stop at a short read)
 * @param protocol      http or echo
 * @param bind          address to listen on: numeric IPv4 or IPv6, or localhost
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
 * @param listener       one of {@link #LISTENERS}, how several epoll loops share the port: reuseport (a
 *                       listening socket per loop, SO_REUSEPORT), shared (one socket in every loop's
 *                       epoll), exclusive (the same, registered EPOLLEXCLUSIVE); docs/many-loops.md
 * @param sharedEpoll    one of {@link #SHARED_EPOLL}: off, or --loops threads waiting on ONE epoll
 *                       instance (--mode et), connections registered EPOLLET|EPOLLONESHOT (oneshot) or
 *                       EPOLLET alone (plain: shows two threads on one connection)
 * @param traceFormat    one of {@link #TRACE_FORMATS}: text (strace-like) or perfetto (Chrome trace-event JSON)
 * @param syscallLatency event loops: time every syscall into per-call, per-outcome histograms
 * @param sqpoll         uring mode: IORING_SETUP_SQPOLL, a kernel thread polls the submission queue
 * @param uringEntries   uring mode: submission queue entries (the completion queue gets twice as many)
 */
public record Options(String mode, String drain, String protocol, String bind, int port, int loops,
                      int backlog, int bufferSize, int maxEvents, boolean nodelay, boolean cork,
                      long idleTimeoutMs, String statsJson, long responseSize, int maxHeaderBytes,
                      long statsIntervalMs, String trace, int traceConnections,
                      long acceptPauseMs, boolean once, int maxThreads, long pollSleepMs, long readTimeoutMs,
                      long headerTimeoutMs, int maxConnections, String listener, String sharedEpoll,
                      String traceFormat, boolean syscallLatency, boolean sqpoll, int uringEntries) {

    /**
     * Every --mode, edge-triggered epoll first and the seeds' first server last: the one list the
     * parser, the usage text, the experiments and the shared test suites read.
     */
    public static final List<String> MODES = List.of("et", "lt", "poll", "busy-poll", "blocking", "threads", "virtual-threads", "uring");
    /** Every --protocol. */
    public static final List<String> PROTOCOLS = List.of("http", "echo");
    /** Every --trace-format. */
    public static final List<String> TRACE_FORMATS = List.of("text", "perfetto");
    /** Every --drain (ET only). */
    public static final List<String> DRAINS = List.of("strict", "short-read");
    /** Every --listener (epoll loops with --loops N). */
    public static final List<String> LISTENERS = List.of("reuseport", "shared", "exclusive");
    /** Every --shared-epoll. */
    public static final List<String> SHARED_EPOLL = List.of("off", "oneshot", "plain");

    /**
     * {@code --drain naive}: one read per edge, never to EAGAIN: the mistake seed 001 warns about,
     * kept to show the stall it causes (scripts/et-stall-demo). Deliberately not in {@link #DRAINS}:
     * nothing that walks the list of drains (tests, experiments) ever gets it; it is accepted only
     * when a command line names it, and the server then prints a warning line on stderr.
     */
    public static final String NAIVE_DRAIN = "naive";

    public static Options defaults() {
        return new Options("et", "strict", "http", "127.0.0.1", 8080, 1, 1024, 16384, 512,
                false, false, 0, null, 13, 8192, 0, null, 4, 0, false, 1024, 0, 0, 10_000, 0, "reuseport", "off", "text", false,
                false, 256);
    }

    public boolean edgeTriggered() {
        return mode.equals("et");
    }

    /** blocking, threads and virtual-threads: one blocking call sequence per connection, no readiness API. */
    public boolean blockingModel() {
        return blockingModel(mode);
    }

    /** Whether {@code mode} is one of the blocking models (blocking, threads, virtual-threads). */
    public static boolean blockingModel(String mode) {
        return mode.equals("blocking") || mode.equals("threads") || mode.equals("virtual-threads");
    }

    /**
     * How far a readiness is drained, as the first line and the exit table name it: strict or
     * short-read (ET), level (one step per event: lt, poll, busy-poll), completion (uring: the kernel
     * reports finished reads, not readiness), or blocking (no readiness).
     */
    public String drainPolicy() {
        if (mode.equals("et")) return drain;
        if (mode.equals("uring")) return "completion";
        return blockingModel() ? "blocking" : "level";
    }

    /** --listener shared or exclusive: one listening socket in every loop's epoll, owned by the Server. */
    public boolean sharedListener() {
        return !listener.equals("reuseport");
    }

    /** --shared-epoll oneshot or plain: the loops' threads share one epoll instance (edgepoll.loop.SharedEpollLoop). */
    public boolean sharesEpoll() {
        return !sharedEpoll.equals("off");
    }

    /** --drain naive: the broken ET drain, on purpose (see {@link #NAIVE_DRAIN}). */
    public boolean naiveDrain() {
        return drain.equals(NAIVE_DRAIN);
    }

    public boolean shortRead() {
        return drain.equals("short-read");
    }

    public boolean http() {
        return protocol.equals("http");
    }

    /** The size of one pooled connection buffer: a whole request head must fit in one, and (checked at parse) the longest reply. */
    public int sliceSize() {
        return Math.max(bufferSize, maxHeaderBytes);
    }

    /** An HTTP body up to this many bytes is part of each prebuilt reply; a larger one is sent by cursor from one shared segment. */
    public static final int HTTP_INLINE_BODY_MAX = 4096;
    /** Bytes a prebuilt HTTP reply's head (status line and headers) takes at most; edgepoll.proto.HttpResponses checks its own against it. */
    public static final int HTTP_HEAD_ROOM = 256;

    /**
     * The output room the longest prebuilt HTTP reply needs: its head, and the body when it is
     * inline. The protocol queues a reply only when that much room is free in the output buffer, so
     * a connection buffer smaller than this would wait forever for room (a request never answered).
     */
    public static long httpReplyRoom(long responseSize) {
        return HTTP_HEAD_ROOM + (responseSize <= HTTP_INLINE_BODY_MAX ? responseSize : 0);
    }

    public static String usage() {
        Options d = defaults();
        return String.join("\n",
                "usage: java -jar edgepoll.jar [options]          (the server)",
                "       java -jar edgepoll.jar client [--host H] [--port P]   (the seeds' line client, for --protocol echo)",
                "       java -jar edgepoll.jar load [options]        (the load generator; load --help lists its options)",
                "  --mode MODE                  " + String.join("|", MODES) + " (default " + d.mode + ")",
                "  --drain " + String.join("|", DRAINS) + "    ET only: read until EAGAIN, or stop at a short read (default " + d.drain + ")",
                "  --drain naive                ET only, broken on purpose: one read per edge, never to EAGAIN; stalls (seed 001)",
                "  --protocol " + String.join("|", PROTOCOLS) + "         hello-world HTTP/1.1, or upper-case echo (default " + d.protocol + ")",
                "  --bind ADDR                  numeric IPv4/IPv6 address or localhost to listen on (default " + d.bind + ")",
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
                "  --trace-format " + String.join("|", TRACE_FORMATS) + "  strace-like text, or a timeline for ui.perfetto.dev / chrome://tracing (default " + d.traceFormat + ")",
                "  --syscall-latency            time every syscall: histograms per call and outcome in the exit table, --stats-json and live stats",
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
                "  --listener " + String.join("|", LISTENERS) + "  --loops N: a listener per loop (SO_REUSEPORT), or one in every loop's epoll,",
                "                               plain or EPOLLEXCLUSIVE (default " + d.listener + "; docs/many-loops.md)",
                "  --shared-epoll " + String.join("|", SHARED_EPOLL) + "  --mode et: --loops threads on ONE epoll instance, connections",
                "                               EPOLLET|EPOLLONESHOT re-armed after each drain, or plain EPOLLET (default " + d.sharedEpoll + ")",
                "  --sqpoll                     uring mode: a kernel thread polls the submission queue (IORING_SETUP_SQPOLL)",
                "  --uring-entries N            uring mode: submission queue entries, a power of two (default " + d.uringEntries + ")",
                "  --help                       this text");
    }

    /** Parses {@code --flag value} and {@code --flag=value} forms (see {@link Flags}). */
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
        String listener = o.listener, sharedEpoll = o.sharedEpoll;
        String traceFormat = o.traceFormat;
        boolean syscallLatency = o.syscallLatency;
        boolean sqpoll = o.sqpoll;
        int uringEntries = o.uringEntries;
        Flags f = new Flags(args);
        while (f.hasNext()) {
            switch (f.next()) {
                case "--nodelay" -> nodelay = true;
                case "--cork" -> cork = true;
                case "--once" -> once = true;
                case "--mode" -> mode = f.oneOf(MODES);
                case "--drain" -> {
                    drain = f.value();
                    if (!drain.equals(NAIVE_DRAIN)) Flags.oneOf("--drain", drain, DRAINS.toArray(String[]::new));
                    drainGiven = true;
                }
                case "--protocol" -> protocol = f.oneOf(PROTOCOLS);
                case "--bind" -> bind = f.value();
                case "--port" -> port = f.intValue(0, 65535);
                case "--loops" -> loops = f.intValue(1, 256);
                case "--backlog" -> backlog = f.intValue(1, Integer.MAX_VALUE);
                case "--buffer-size" -> bufferSize = f.intValue(64, 64 << 20);
                case "--max-events" -> maxEvents = f.intValue(1, 1 << 20);
                case "--idle-timeout" -> idle = f.durationMsValue();
                case "--stats-json" -> statsJson = f.value();
                case "--response-size" -> responseSize = f.longValue(0, 1L << 40);
                case "--max-header-bytes" -> maxHeaderBytes = f.intValue(64, 16 << 20);
                case "--stats-interval" -> statsInterval = f.durationMsValue();
                case "--trace" -> trace = f.value();
                case "--trace-format" -> traceFormat = f.oneOf(TRACE_FORMATS);
                case "--syscall-latency" -> syscallLatency = true;
                case "--trace-connections" -> traceConnections = f.intValue(1, 1_000_000);
                case "--accept-pause" -> acceptPause = f.durationMsValue();
                case "--max-threads" -> maxThreads = f.intValue(1, 1_000_000);
                case "--poll-sleep" -> pollSleep = f.durationMsValue();
                case "--read-timeout" -> readTimeout = f.durationMsValue();
                case "--header-timeout" -> headerTimeout = f.durationMsValue();
                case "--max-connections" -> maxConnections = f.intValue(0, Integer.MAX_VALUE);
                case "--listener" -> listener = f.oneOf(LISTENERS);
                case "--shared-epoll" -> sharedEpoll = f.oneOf(SHARED_EPOLL);
                case "--sqpoll" -> sqpoll = true;
                case "--uring-entries" -> uringEntries = f.intValue(8, 32768);
                default -> throw f.unknown();
            }
        }
        if (once && !mode.equals("blocking")) {
            throw new IllegalArgumentException("--once applies to --mode blocking only");
        }
        if (drainGiven && !mode.equals("et") && drain.equals("short-read")) {
            throw new IllegalArgumentException("--drain short-read applies to --mode et only");
        }
        if (!listener.equals("reuseport") && !mode.equals("et") && !mode.equals("lt")) {
            throw new IllegalArgumentException("--listener " + listener + " applies to --mode et and lt only");
        }
        if (!sharedEpoll.equals("off") && !mode.equals("et")) {
            throw new IllegalArgumentException("--shared-epoll applies to --mode et only");
        }
        if (drainGiven && !mode.equals("et") && drain.equals(NAIVE_DRAIN)) {
            throw new IllegalArgumentException("--drain naive applies to --mode et only");
        }
        Recording.check(sharedEpoll, trace);
        if (sqpoll && !mode.equals("uring")) {
            throw new IllegalArgumentException("--sqpoll applies to --mode uring only");
        }
        long replyRoom = httpReplyRoom(responseSize);
        if (protocol.equals("http") && Math.max(bufferSize, maxHeaderBytes) < replyRoom) {
            // Refused rather than enlarged: a connection buffer is max(--buffer-size, --max-header-bytes)
            // bytes, the memory bound docs/hardening.md states; growing it behind the flags' back would
            // break that bound, and a reply that can never fit would hang every request (issue 24).
            throw new IllegalArgumentException("--response-size " + responseSize + " needs " + replyRoom
                    + " bytes of output buffer for its reply, more than max(--buffer-size, --max-header-bytes) = "
                    + Math.max(bufferSize, maxHeaderBytes) + "; raise --buffer-size to at least " + replyRoom);
        }
        if (Integer.bitCount(uringEntries) != 1) {
            throw new IllegalArgumentException("--uring-entries must be a power of two, not " + uringEntries);
        }
        return new Options(mode, drain, protocol, bind, port, loops, backlog, bufferSize, maxEvents,
                nodelay, cork, idle, statsJson, responseSize, maxHeaderBytes, statsInterval, trace, traceConnections,
                acceptPause, once, maxThreads, pollSleep, readTimeout, headerTimeout, maxConnections, listener, sharedEpoll,
                traceFormat, syscallLatency, sqpoll, uringEntries);
    }
}
