package edgepoll.server.hardening;

import edgepoll.server.testkit.Pace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of {@link MixedFaultSoakTest}: one kind of client per {@link Kind}, each on
 * loopback, each socket with a read timeout (a reply that never comes is a violation, never a hang),
 * and a tally of what was sent, what came back complete and what may or may not have been answered.
 * The server runs with {@code --response-size 1048576}: HEAD requests get heads only, GET a 1 MiB
 * body. Which client runs next, and its sizes, come from a {@link Random} seeded per worker.
 */
final class SoakClients {
    /** The fault kinds, with their weights in the mix. */
    enum Kind {
        KEEP_ALIVE(25), PIPELINED(20), SLOW_READER(6), RESET_MID_RESPONSE(10), HALF_CLOSE(12),
        LARGE_RESPONSE(8), SLOWLORIS(4), CONNECT_BURST(8);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }

        static Kind pick(Random r, List<Kind> kinds) {
            int total = 0;
            for (Kind k : kinds) total += k.weight;
            int x = r.nextInt(total);
            for (Kind k : kinds) {
                if ((x -= k.weight) < 0) return k;
            }
            throw new AssertionError();
        }
    }

    static final long BODY = 1 << 20;
    private static final byte[] HELLO = "Hello, world!".getBytes(StandardCharsets.US_ASCII);
    /** The requests a connection sends, each with a reply the client can tell apart (so order is checked). */
    private static final String HEAD11 = "HEAD / HTTP/1.1\r\n\r\n";
    private static final String HEAD10 = "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    private static final String GET = "GET / HTTP/1.1\r\n\r\n";
    private static final String CLOSE = "HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n";
    static final long HEADER_TIMEOUT_MS = 1_000;
    private static final int READ_TIMEOUT_MS = 15_000;

    final int port;
    final LongAdder connects = new LongAdder();
    /** Requests whose reply was read whole, and requests sent whose reply the client gave up on (a reset). */
    final LongAdder answered = new LongAdder(), uncertain = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final Map<Kind, LongAdder> runs = new EnumMap<>(Kind.class);
    final AtomicLong slowestSlowlorisCloseMs = new AtomicLong();
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    /** The kinds in this mix: all, or all but slowloris where the server has no header timeout. */
    final List<Kind> kinds;

    SoakClients(int port, boolean slowloris) {
        this.port = port;
        this.kinds = java.util.Arrays.stream(Kind.values()).filter(k -> slowloris || k != Kind.SLOWLORIS).toList();
        for (Kind k : Kind.values()) runs.put(k, new LongAdder());
    }

    /**
     * One worker: clients of random kinds until the deadline. Worker {@code w} begins with kind
     * {@code w} of the mix, so that as many workers as kinds run every kind at least once even on a
     * machine so loaded that each gets through only a few clients.
     */
    void work(int w, long seed, long deadlineNanos) throws InterruptedException {
        Random r = new Random(seed);
        for (boolean first = true; first || (System.nanoTime() < deadlineNanos && violations.size() < 20); first = false) {
            Kind k = first ? kinds.get(w % kinds.size()) : Kind.pick(r, kinds);
            runs.get(k).increment();
            try {
                run(k, r);
            } catch (IOException e) {
                violations.add(k + ": " + e);
            }
        }
    }

    private void run(Kind k, Random r) throws IOException, InterruptedException {
        switch (k) {
            case KEEP_ALIVE -> keepAlive(r);
            case PIPELINED -> pipelined(r, false);
            case HALF_CLOSE -> pipelined(r, true);
            case SLOW_READER -> large(r, true);
            case LARGE_RESPONSE -> large(r, false);
            case RESET_MID_RESPONSE -> resetMidResponse(r);
            case SLOWLORIS -> slowloris();
            case CONNECT_BURST -> connectBurst(r);
        }
    }

    private Socket connect(int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.setTcpNoDelay(true);
        connects.increment();
        return s;
    }

    private static String marker(Random r) {
        return r.nextBoolean() ? HEAD11 : HEAD10;
    }

    /** One request at a time, each reply read before the next; the last asks to close; then EOF. */
    private void keepAlive(Random r) throws IOException {
        int n = 1 + r.nextInt(20);
        try (Socket s = connect(0)) {
            Replies in = new Replies(s.getInputStream());
            for (int i = 0; i < n; i++) {
                String req = i == n - 1 ? CLOSE : marker(r);
                s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
                in.expect(req);
                answered.increment();
            }
            in.expectEof();
        }
    }

    /** n requests in one write, read back in order; half-close: SHUT_WR after them instead of a closing request. */
    private void pipelined(Random r, boolean halfClose) throws IOException {
        int n = 2 + r.nextInt(63);
        List<String> sent = new ArrayList<>(n);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String req = !halfClose && i == n - 1 ? CLOSE : marker(r);
            sent.add(req);
            all.append(req);
        }
        try (Socket s = connect(0)) {
            s.getOutputStream().write(all.toString().getBytes(StandardCharsets.US_ASCII));
            if (halfClose) s.shutdownOutput();
            Replies in = new Replies(s.getInputStream());
            for (String req : sent) {
                in.expect(req);
                answered.increment();
            }
            in.expectEof();
        }
    }

    /** GET of 1 MiB read whole (slow: a small receive buffer and pauses), then a HEAD, then close. */
    private void large(Random r, boolean slow) throws IOException, InterruptedException {
        try (Socket s = connect(slow ? 4096 : 0)) {
            Replies in = new Replies(s.getInputStream());
            in.pauseEvery = slow ? 128 << 10 : 0;
            OutputStream out = s.getOutputStream();
            out.write((GET + CLOSE).getBytes(StandardCharsets.US_ASCII));
            in.expect(GET);
            answered.increment();
            in.expect(CLOSE);
            answered.increment();
            in.expectEof();
        }
    }

    /** GET of 1 MiB and HEADs behind it; read part of the body, then close with SO_LINGER 0 (an RST). */
    private void resetMidResponse(Random r) throws IOException {
        int heads = r.nextInt(4);
        StringBuilder all = new StringBuilder(GET);
        for (int i = 0; i < heads; i++) all.append(HEAD11);
        try (Socket s = connect(0)) {
            s.getOutputStream().write(all.toString().getBytes(StandardCharsets.US_ASCII));
            Replies in = new Replies(s.getInputStream());
            in.readHeadOf(GET);
            in.skip(r.nextInt((int) BODY / 2));
            uncertain.add(1 + heads);
            s.setSoLinger(true, 0);
        }
    }

    /**
     * A request head that never ends: a byte every 200 ms; the server must close it within
     * --header-timeout (plus a second of slack for the timer's granularity and load).
     */
    private void slowloris() throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = connect(0)) {
            s.setSoTimeout(200);  // the gap between slowloris bytes: a read that waits 200 ms for the close
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[512];
            long limitMs = HEADER_TIMEOUT_MS + 5_000;
            while (true) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > limitMs) {
                    violations.add("SLOWLORIS: not closed " + ms + " ms after its head began (--header-timeout " + HEADER_TIMEOUT_MS + " ms)");
                    return;
                }
                try {
                    if (in.read(buf) < 0) break;  // a 408 or nothing, then EOF: closed
                } catch (SocketTimeoutException quiet) {
                    try {
                        out.write('a');
                    } catch (IOException closed) {
                        break;
                    }
                } catch (IOException reset) {
                    break;
                }
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        slowestSlowlorisCloseMs.accumulateAndGet(ms, Math::max);
    }

    /** 10-40 connects at once; each then asks once and closes, closes silently, or resets. */
    private void connectBurst(Random r) throws IOException {
        int n = 10 + r.nextInt(31);
        List<Socket> burst = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) burst.add(connect(0));
            for (Socket s : burst) {
                switch (r.nextInt(3)) {
                    case 0 -> {
                        s.getOutputStream().write(CLOSE.getBytes(StandardCharsets.US_ASCII));
                        Replies in = new Replies(s.getInputStream());
                        in.expect(CLOSE);
                        answered.increment();
                        in.expectEof();
                    }
                    case 1 -> s.setSoLinger(true, 0);
                    default -> { }
                }
            }
        } finally {
            for (Socket s : burst) s.close();
        }
    }

    /** Reads replies off one connection and checks each is the one its request gets, whole, in order. */
    final class Replies {
        private final InputStream in;
        private final byte[] buf = new byte[64 << 10];
        private int pos, lim;
        long pauseEvery;
        private long sincePause;

        Replies(InputStream in) {
            this.in = in;
        }

        private boolean fill() throws IOException {
            if (pos < lim) return true;
            int n = in.read(buf);
            if (n < 0) return false;
            bytesRead.add(n);
            pos = 0;
            lim = n;
            return true;
        }

        String readHead() throws IOException {
            StringBuilder h = new StringBuilder();
            for (int n = 0; n < 4 || h.charAt(n - 1) != '\n' || h.charAt(n - 2) != '\r' || h.charAt(n - 3) != '\n' || h.charAt(n - 4) != '\r'; n++) {
                if (!fill()) throw new IOException("EOF inside a reply head after " + h.length() + " bytes");
                h.append((char) (buf[pos++] & 0xff));
                if (h.length() > 4096) throw new IOException("a reply head over 4 KiB");
            }
            return h.toString();
        }

        void readHeadOf(String request) throws IOException {
            String head = readHead();
            String want = request == HEAD10 ? "Connection: keep-alive\r\n" : request == CLOSE ? "Connection: close\r\n" : null;
            boolean ok = head.startsWith("HTTP/1.1 200 OK\r\n") && head.contains("Content-Length: " + BODY + "\r\n")
                    && (want != null ? head.contains(want) : !head.contains("Connection:"));
            if (!ok) throw new IOException("reply out of order or wrong for " + request.strip().replace("\r\n", " | ") + ": " + head.strip());
        }

        /** The reply to {@code request}, whole: its head, and for GET the 1 MiB body, byte for byte. */
        void expect(String request) throws IOException {
            readHeadOf(request);
            if (request != GET) return;
            for (long i = 0; i < BODY; ) {
                if (!fill()) throw new IOException("EOF inside a 1 MiB body at byte " + i);
                int n = (int) Math.min(BODY - i, lim - pos);
                for (int j = 0; j < n; j++) {
                    if (buf[pos + j] != HELLO[(int) ((i + j) % HELLO.length)]) throw new IOException("body byte " + (i + j) + " wrong");
                }
                pos += n;
                i += n;
                if (pauseEvery > 0 && (sincePause += n) >= pauseEvery) {
                    sincePause = 0;
                    try {
                        Pace.hold(10, "a slow reader: the server's send buffer fills while it does not read");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
            }
        }

        void skip(long n) throws IOException {
            for (long left = n; left > 0; ) {
                if (!fill()) throw new IOException("EOF inside a body");
                int k = (int) Math.min(left, lim - pos);
                pos += k;
                left -= k;
            }
        }

        /** Nothing after the last reply: the server closes, sending no extra byte. */
        void expectEof() throws IOException {
            if (pos < lim || fill()) throw new IOException((lim - pos) + " bytes after the last reply: a reply nobody asked for");
        }
    }
}
