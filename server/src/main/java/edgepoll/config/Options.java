package edgepoll.config;

import java.util.List;

/**
 * Every server flag and its default, parsed from the command line ({@link #parse}; the record's
 * constructor is called only by the parser's builder). A bad flag is an
 * {@link IllegalArgumentException} whose message is the one line Main prints before the usage.
 *
 * @param mode          a {@link Mode}: the epoll loops et and lt, poll, busy-poll, a blocking model, or uring
 * @param drain         a {@link Drain}, ET read drain: strict (read until EAGAIN) or short-read (stop at a short read)
 * @param protocol      an {@link AppProtocol}: http or echo
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
 * @param listener       a {@link ListenerMode}, how several epoll loops share the port: reuseport (a
 *                       listening socket per loop, SO_REUSEPORT), shared (one socket in every loop's
 *                       epoll), exclusive (the same, registered EPOLLEXCLUSIVE); docs/many-loops.md
 * @param sharedEpoll    a {@link SharedEpollMode}: off, or --loops threads waiting on ONE epoll
 *                       instance (--mode et), connections registered EPOLLET|EPOLLONESHOT (oneshot) or
 *                       EPOLLET alone (plain: shows two threads on one connection)
 * @param traceFormat    a {@link TraceFormat}: text (strace-like) or perfetto (Chrome trace-event JSON)
 * @param syscallLatency event loops: time every syscall into per-call, per-outcome histograms
 * @param sqpoll         uring mode: IORING_SETUP_SQPOLL, a kernel thread polls the submission queue
 * @param uringEntries   uring mode: submission queue entries (the completion queue gets twice as many)
 */
public record Options(Mode mode, Drain drain, AppProtocol protocol, String bind, int port, int loops,
                      int backlog, int bufferSize, int maxEvents, boolean nodelay, boolean cork,
                      long idleTimeoutMs, String statsJson, long responseSize, int maxHeaderBytes,
                      long statsIntervalMs, String trace, int traceConnections,
                      long acceptPauseMs, boolean once, int maxThreads, long pollSleepMs, long readTimeoutMs,
                      long headerTimeoutMs, int maxConnections, ListenerMode listener, SharedEpollMode sharedEpoll,
                      TraceFormat traceFormat, boolean syscallLatency, boolean sqpoll, int uringEntries) {

    /**
     * Every --mode's word, in {@link Mode}'s order: the list the usage text, the experiments and the
     * shared test suites walk (they pass the words on as command lines).
     */
    public static final List<String> MODES = words(Mode.ALL);
    /** Every --protocol. */
    public static final List<String> PROTOCOLS = words(List.of(AppProtocol.values()));
    /** Every --trace-format. */
    public static final List<String> TRACE_FORMATS = words(List.of(TraceFormat.values()));
    /** Every --drain (ET only) but the broken one: {@link Drain#LISTED}. */
    public static final List<String> DRAINS = words(Drain.LISTED);
    /** Every --listener (epoll loops with --loops N). */
    public static final List<String> LISTENERS = words(List.of(ListenerMode.values()));
    /** Every --shared-epoll. */
    public static final List<String> SHARED_EPOLL = words(List.of(SharedEpollMode.values()));

    /** {@code --drain naive}: {@link Drain#NAIVE}, deliberately not in {@link #DRAINS}. */
    public static final String NAIVE_DRAIN = Drain.NAIVE.toString();

    private static List<String> words(List<?> values) {
        return values.stream().map(Object::toString).toList();
    }

    /** Every flag at its default (the record {@link Builder} starts from). */
    public static Options defaults() {
        return new Builder().build();
    }

    /** blocking, threads and virtual-threads: one blocking call sequence per connection, no readiness API. */
    public boolean blockingModel() {
        return mode.blockingModel();
    }

    /**
     * How far a readiness is drained, as the first line and the exit table name it: strict or
     * short-read (ET), level (one step per event: lt, poll, busy-poll), completion (uring: the kernel
     * reports finished reads, not readiness), or blocking (no readiness).
     */
    public String drainPolicy() {
        return switch (mode) {
            case ET -> drain.toString();
            case URING -> "completion";
            case LT, POLL, BUSY_POLL -> "level";
            case BLOCKING, THREADS, VIRTUAL_THREADS -> "blocking";
        };
    }

    /** --listener shared or exclusive: one listening socket in every loop's epoll, owned by the Server. */
    public boolean sharedListener() {
        return listener != ListenerMode.REUSEPORT;
    }

    /** --shared-epoll oneshot or plain: the loops' threads share one epoll instance (edgepoll.loop.SharedEpollLoop). */
    public boolean sharesEpoll() {
        return sharedEpoll != SharedEpollMode.OFF;
    }

    /** --drain naive: the broken ET drain, on purpose (see {@link Drain#NAIVE}). */
    public boolean naiveDrain() {
        return drain == Drain.NAIVE;
    }

    public boolean shortRead() {
        return drain == Drain.SHORT_READ;
    }

    public boolean http() {
        return protocol == AppProtocol.HTTP;
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
        Builder b = new Builder();
        Flags f = new Flags(args);
        while (f.hasNext()) {
            switch (f.next()) {
                case "--nodelay" -> b.nodelay = true;
                case "--cork" -> b.cork = true;
                case "--once" -> b.once = true;
                case "--mode" -> b.mode = f.oneOf(Mode.ALL);
                case "--drain" -> {
                    String v = f.value();
                    b.drain = v.equals(NAIVE_DRAIN) ? Drain.NAIVE : Flags.oneOf("--drain", v, Drain.LISTED);
                    b.drainGiven = true;
                }
                case "--protocol" -> b.protocol = f.oneOf(List.of(AppProtocol.values()));
                case "--bind" -> b.bind = f.value();
                case "--port" -> b.port = f.intValue(0, 65535);
                case "--loops" -> b.loops = f.intValue(1, 256);
                case "--backlog" -> b.backlog = f.intValue(1, Integer.MAX_VALUE);
                case "--buffer-size" -> b.bufferSize = f.intValue(64, 64 << 20);
                case "--max-events" -> b.maxEvents = f.intValue(1, 1 << 20);
                case "--idle-timeout" -> b.idleTimeoutMs = f.durationMsValue();
                case "--stats-json" -> b.statsJson = f.value();
                case "--response-size" -> b.responseSize = f.longValue(0, 1L << 40);
                case "--max-header-bytes" -> b.maxHeaderBytes = f.intValue(64, 16 << 20);
                case "--stats-interval" -> b.statsIntervalMs = f.durationMsValue();
                case "--trace" -> b.trace = f.value();
                case "--trace-format" -> b.traceFormat = f.oneOf(List.of(TraceFormat.values()));
                case "--syscall-latency" -> b.syscallLatency = true;
                case "--trace-connections" -> b.traceConnections = f.intValue(1, 1_000_000);
                case "--accept-pause" -> b.acceptPauseMs = f.durationMsValue();
                case "--max-threads" -> b.maxThreads = f.intValue(1, 1_000_000);
                case "--poll-sleep" -> b.pollSleepMs = f.durationMsValue();
                case "--read-timeout" -> b.readTimeoutMs = f.durationMsValue();
                case "--header-timeout" -> b.headerTimeoutMs = f.durationMsValue();
                case "--max-connections" -> b.maxConnections = f.intValue(0, Integer.MAX_VALUE);
                case "--listener" -> b.listener = f.oneOf(List.of(ListenerMode.values()));
                case "--shared-epoll" -> b.sharedEpoll = f.oneOf(List.of(SharedEpollMode.values()));
                case "--sqpoll" -> b.sqpoll = true;
                case "--uring-entries" -> b.uringEntries = f.intValue(8, 32768);
                default -> throw f.unknown();
            }
        }
        return b.build();
    }

    /**
     * The flags as {@link #parse} reads them, each starting at its default: the one place that
     * names every field, and the one caller of the record's constructor ({@link #build()}, which
     * first refuses the combinations no mode serves).
     */
    private static final class Builder {
        Mode mode = Mode.ET;
        Drain drain = Drain.STRICT;
        boolean drainGiven;
        AppProtocol protocol = AppProtocol.HTTP;
        String bind = "127.0.0.1", statsJson, trace;
        int port = 8080, loops = 1, backlog = 1024, bufferSize = 16384, maxEvents = 512, maxHeaderBytes = 8192;
        int traceConnections = 4, maxThreads = 1024, maxConnections, uringEntries = 256;
        boolean nodelay, cork, once, syscallLatency, sqpoll;
        long idleTimeoutMs, responseSize = 13, statsIntervalMs, acceptPauseMs, pollSleepMs, readTimeoutMs;
        long headerTimeoutMs = 10_000;
        ListenerMode listener = ListenerMode.REUSEPORT;
        SharedEpollMode sharedEpoll = SharedEpollMode.OFF;
        TraceFormat traceFormat = TraceFormat.TEXT;

        Options build() {
            check();
            return new Options(mode, drain, protocol, bind, port, loops, backlog, bufferSize, maxEvents,
                    nodelay, cork, idleTimeoutMs, statsJson, responseSize, maxHeaderBytes, statsIntervalMs, trace,
                    traceConnections, acceptPauseMs, once, maxThreads, pollSleepMs, readTimeoutMs, headerTimeoutMs,
                    maxConnections, listener, sharedEpoll, traceFormat, syscallLatency, sqpoll, uringEntries);
        }

        /** The one-line refusal of a combination of flags that no mode serves. */
        private void check() {
            if (once && mode != Mode.BLOCKING) {
                throw new IllegalArgumentException("--once applies to --mode blocking only");
            }
            if (drainGiven && mode != Mode.ET && drain == Drain.SHORT_READ) {
                throw new IllegalArgumentException("--drain short-read applies to --mode et only");
            }
            if (listener != ListenerMode.REUSEPORT && mode != Mode.ET && mode != Mode.LT) {
                throw new IllegalArgumentException("--listener " + listener + " applies to --mode et and lt only");
            }
            if (sharedEpoll != SharedEpollMode.OFF && mode != Mode.ET) {
                throw new IllegalArgumentException("--shared-epoll applies to --mode et only");
            }
            if (drainGiven && mode != Mode.ET && drain == Drain.NAIVE) {
                throw new IllegalArgumentException("--drain naive applies to --mode et only");
            }
            Recording.check(sharedEpoll, trace);
            if (sqpoll && mode != Mode.URING) {
                throw new IllegalArgumentException("--sqpoll applies to --mode uring only");
            }
            long replyRoom = httpReplyRoom(responseSize);
            int slice = Math.max(bufferSize, maxHeaderBytes);
            if (protocol == AppProtocol.HTTP && slice < replyRoom) {
                // Refused rather than enlarged: a connection buffer is max(--buffer-size, --max-header-bytes)
                // bytes, the memory bound docs/hardening.md states; growing it behind the flags' back would
                // break that bound, and a reply that can never fit would hang every request (issue 24).
                throw new IllegalArgumentException("--response-size " + responseSize + " needs " + replyRoom
                        + " bytes of output buffer for its reply, more than max(--buffer-size, --max-header-bytes) = "
                        + slice + "; raise --buffer-size to at least " + replyRoom);
            }
            if (Integer.bitCount(uringEntries) != 1) {
                throw new IllegalArgumentException("--uring-entries must be a power of two, not " + uringEntries);
            }
        }
    }
}
