package edgepoll.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * HTTP/1.1 hello world (seed 001), parsed in place from the connection's off-heap input.
 *
 * <ul>
 *   <li>A request head ends at an empty line: CRLF CRLF, or LF LF and LF CRLF as the seed accepts.
 *       Empty lines before a request line are skipped (RFC 9112 section 2.2).</li>
 *   <li>Keep-alive: HTTP/1.1 unless {@code Connection: close}; HTTP/1.0 only with
 *       {@code Connection: keep-alive}. Otherwise the reply carries {@code Connection: close} and
 *       the loop shuts the connection down once it is sent.</li>
 *   <li>Pipelined requests are answered in order, as many per call as fit in the output buffer, so
 *       a burst leaves in few writes. HEAD gets the head only. A {@code Content-Length} body is read
 *       and discarded.</li>
 *   <li>Errors, each followed by a close: a malformed request line or header, a bad or conflicting
 *       Content-Length, or Transfer-Encoding together with Content-Length → 400; a head over
 *       {@code --max-header-bytes} → 431; any Transfer-Encoding (chunked) → 501; an HTTP major
 *       version other than 1 → 505.</li>
 * </ul>
 * The Host header is not required (a benchmark target, not an origin for many hosts). Owned by one
 * loop; the parse fields below are scratch for the request being parsed.
 */
public final class HttpProtocol implements Protocol {
    private static final byte CR = '\r', LF = '\n', SP = ' ', HT = '\t';
    private static final int NEED_MORE = -1, BAD = 400, TOO_LARGE = 431, NOT_IMPLEMENTED = 501, BAD_VERSION = 505;
    /** tchar of RFC 9110 section 5.6.2, indexed by byte. */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char ch = '0'; ch <= '9'; ch++) TCHAR[ch] = true;
        for (char ch = 'a'; ch <= 'z'; ch++) TCHAR[ch] = true;
        for (char ch = 'A'; ch <= 'Z'; ch++) TCHAR[ch] = true;
        for (char ch : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[ch] = true;
    }

    private final HttpResponses responses;
    private final int maxHeaderBytes;
    /** Builds the live stats JSON for GET /_edgepoll/stats; null turns the endpoint off. */
    private final java.util.function.Supplier<String> stats;
    private static final byte[] STATS_PATH = "/_edgepoll/stats".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    // Scratch for the request being parsed.
    private boolean head, http10, connectionClose, connectionKeepAlive, transferEncoding, statsTarget;
    private long contentLength;

    /** The blocking model answers one request per connection, as the seed's first server did. */
    private final boolean closeEach;

    public HttpProtocol(HttpResponses responses, int maxHeaderBytes, java.util.function.Supplier<String> stats, boolean closeEach) {
        this.responses = responses;
        this.maxHeaderBytes = maxHeaderBytes;
        this.stats = stats;
        this.closeEach = closeEach;
    }

    @Override
    public boolean isHttp() {
        return true;
    }

    @Override
    public void tick(long epochSecond) {
        responses.tick(epochSecond);
    }

    @Override
    public int process(Exchange c) {
        MemorySegment in = c.in;
        int pos = c.inPos;
        final int limit = c.inLen;
        int served = 0;
        while (!c.closeAfterFlush && c.bodySent == c.bodyLength) {
            if (c.discard > 0) {
                int skip = (int) Math.min(c.discard, limit - pos);
                pos += skip;
                c.discard -= skip;
                if (c.discard > 0) break;
            }
            while (pos < limit && isLineEnd(in.get(ValueLayout.JAVA_BYTE, pos))) pos++;
            if (pos == limit || c.out.byteSize() - c.outLen < responses.maxLength) break;
            int end = head(in, pos, limit);
            if (end == NEED_MORE) break;
            if (end < 0) {
                served++;
                pos = fail(c, -end, limit);
                break;
            }
            boolean keepAlive = !closeEach && (http10 ? connectionKeepAlive && !connectionClose : !connectionClose);
            if (statsTarget) {  // not counted as a request: observing must not change the ratios
                queueStats(c, keepAlive);
                c.exchanges++;  // progress for the connection's timers all the same
                pos = keepAlive ? end : limit;
                c.discard = keepAlive ? contentLength : 0;
                if (!keepAlive) c.closeAfterFlush = true;
                break;  // the JSON goes out by cursor; later requests wait for it
            }
            served++;
            HttpResponses.Template t = !keepAlive ? responses.okClose
                    : http10 ? responses.okKeepAlive10 : responses.okKeepAlive;
            int n = head ? t.headLength() : t.length();
            MemorySegment.copy(t.seg(), 0, c.out, c.outLen, n);
            c.outLen += n;
            if (!head && responses.largeBody != null) {
                c.body = responses.largeBody;
                c.bodySent = 0;
                c.bodyLength = responses.bodyLength;
            }
            pos = end;
            c.discard = contentLength;
            if (!keepAlive) {
                c.closeAfterFlush = true;
                pos = limit;  // nothing after a closing request is answered
            }
        }
        c.inPos = pos;
        c.exchanges += served;
        return served;
    }

    /**
     * The live stats as a JSON response, sent by cursor from memory the GC frees (an automatic
     * arena): this is the observer's path, not the hot path, so it may allocate.
     */
    private void queueStats(Exchange c, boolean keepAlive) {
        byte[] json = stats.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 200 OK\r\nServer: edgepoll\r\nContent-Type: application/json\r\n"
                + "Cache-Control: no-store\r\nContent-Length: " + json.length + "\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MemorySegment seg = java.lang.foreign.Arena.ofAuto().allocate(head.length + json.length);
        MemorySegment.copy(head, 0, seg, ValueLayout.JAVA_BYTE, 0, head.length);
        MemorySegment.copy(json, 0, seg, ValueLayout.JAVA_BYTE, head.length, json.length);
        c.body = seg;
        c.bodySent = 0;
        c.bodyLength = seg.byteSize();
    }

    /** Queues the error reply for {@code status}, marks the connection to close; returns the new input position. */
    private int fail(Exchange c, int status, int limit) {
        HttpResponses.Template t = switch (status) {
            case TOO_LARGE -> responses.headerTooLarge;
            case NOT_IMPLEMENTED -> responses.notImplemented;
            case BAD_VERSION -> responses.versionNotSupported;
            default -> responses.badRequest;
        };
        MemorySegment.copy(t.seg(), 0, c.out, c.outLen, t.length());
        c.outLen += t.length();
        c.closeAfterFlush = true;
        c.discard = 0;
        return limit;
    }

    private static boolean isLineEnd(byte b) {
        return b == CR || b == LF;
    }

    /**
     * The request head starting at {@code pos}, parsed into the scratch fields: the index just past
     * its empty line, NEED_MORE while it is incomplete, or minus the error status.
     *
     * <p>One pass on the common path: {@link #parse} walks the head once, finding the line ends as it
     * goes (header values eight bytes at a time), so nothing scans the head before it. Only when that
     * pass cannot answer at once (the head is incomplete, too long or malformed) does the head's end
     * decide, as it always did: {@link HeadScan#headEnd} finds it, a head over
     * {@code --max-header-bytes} gets 431 whether or not it is well-formed, an incomplete one waits
     * (431 once it is that long), and a complete one gets the status its bytes call for.
     */
    private int head(MemorySegment in, int pos, int limit) {
        int end = parse(in, pos, (int) Math.min(limit, (long) pos + maxHeaderBytes));
        if (end >= 0) return end;
        int e = HeadScan.headEnd(in, pos, limit);
        if (e < 0) return limit - pos >= maxHeaderBytes ? -TOO_LARGE : NEED_MORE;
        if (e - pos > maxHeaderBytes) return -TOO_LARGE;
        end = parse(in, pos, e);
        return end == NEED_MORE ? -BAD : end;  // the head is complete: what did not fit is malformed
    }

    /**
     * Parses the head starting at {@code pos}, reading no byte at or past {@code lim}, into the
     * scratch fields: returns the index just past its empty line, NEED_MORE if {@code lim} came first,
     * or minus an error status (the first error in byte order).
     */
    private int parse(MemorySegment in, int pos, int lim) {
        head = http10 = connectionClose = connectionKeepAlive = transferEncoding = false;
        contentLength = 0;
        boolean sawLength = false;
        int i = pos;
        // request-line = method SP request-target SP HTTP-version
        int start = i;
        while (i < lim && isTchar(in.get(ValueLayout.JAVA_BYTE, i))) i++;
        if (i == lim) return NEED_MORE;
        if (i == start || in.get(ValueLayout.JAVA_BYTE, i) != SP) return -BAD;
        head = i - start == 4 && in.get(ValueLayout.JAVA_INT_UNALIGNED, start) == HEAD_LE;
        start = ++i;
        for (byte b; i < lim && (b = in.get(ValueLayout.JAVA_BYTE, i)) > SP && b != 0x7F; ) i++;
        if (i == lim) return NEED_MORE;
        if (i == start || in.get(ValueLayout.JAVA_BYTE, i) != SP) return -BAD;
        statsTarget = stats != null && i - start == STATS_PATH.length && bytesEqual(in, start, STATS_PATH);
        i++;
        if (lim - i < 9) return NEED_MORE;
        if (in.get(ValueLayout.JAVA_INT_UNALIGNED, i) != HTTP_LE || in.get(ValueLayout.JAVA_BYTE, i + 4) != '/') return -BAD;
        byte major = in.get(ValueLayout.JAVA_BYTE, i + 5), dot = in.get(ValueLayout.JAVA_BYTE, i + 6);
        byte minor = in.get(ValueLayout.JAVA_BYTE, i + 7);
        if (!isDigit(major) || dot != '.' || !isDigit(minor)) return -BAD;
        i += 8;
        if (in.get(ValueLayout.JAVA_BYTE, i) == CR) {
            if (++i == lim) return NEED_MORE;
        }
        if (in.get(ValueLayout.JAVA_BYTE, i++) != LF) return -BAD;
        if (major != '1') return -BAD_VERSION;
        http10 = minor == '0';
        // header-field = field-name ":" OWS field-value OWS, until the empty line
        while (true) {
            if (i == lim) return NEED_MORE;
            byte b = in.get(ValueLayout.JAVA_BYTE, i);
            if (b == LF) return endOfHead(i + 1, transferEncoding, sawLength);
            if (b == CR) {
                if (i + 1 == lim) return NEED_MORE;
                if (in.get(ValueLayout.JAVA_BYTE, i + 1) == LF) return endOfHead(i + 2, transferEncoding, sawLength);
            }
            if (b == SP || b == HT) return -BAD;  // obsolete line folding
            int nameStart = i;
            while (i < lim && isTchar(in.get(ValueLayout.JAVA_BYTE, i))) i++;
            if (i == lim) return NEED_MORE;
            int nameLength = i - nameStart;
            if (nameLength == 0 || in.get(ValueLayout.JAVA_BYTE, i) != ':') return -BAD;
            i++;
            while (i < lim && isOws(in.get(ValueLayout.JAVA_BYTE, i))) i++;
            int valueStart = i;
            int lf = valueLf(in, i, lim);
            if (lf < 0) return lf;
            int valueEnd = lf;
            i = lf + 1;
            while (valueEnd > valueStart && (isOws(in.get(ValueLayout.JAVA_BYTE, valueEnd - 1))
                    || in.get(ValueLayout.JAVA_BYTE, valueEnd - 1) == CR)) valueEnd--;
            if (nameIs(in, nameStart, nameLength, CONTENT_LENGTH)) {
                long v = digits(in, valueStart, valueEnd);
                if (v < 0 || (sawLength && v != contentLength)) return -BAD;
                contentLength = v;
                sawLength = true;
            } else if (nameIs(in, nameStart, nameLength, TRANSFER_ENCODING)) {
                transferEncoding = true;
            } else if (nameIs(in, nameStart, nameLength, CONNECTION)) {
                connectionTokens(in, valueStart, valueEnd);
            }
        }
    }

    private static int endOfHead(int end, boolean transferEncoding, boolean sawLength) {
        if (transferEncoding) return sawLength ? -BAD : -NOT_IMPLEMENTED;
        return end;
    }

    private static final long ONES = 0x0101010101010101L, HIGHS = 0x8080808080808080L, SPS = ONES * SP;

    /**
     * The LF that ends a field value starting at {@code i}: its index, NEED_MORE if {@code lim} comes
     * first, or -BAD for a control character (other than HT, and CR right before the LF), DEL or a
     * byte over 0x7F. Eight bytes at a time: in a word, {@code (x - SPS) & ~x} flags the bytes below
     * 0x20 and {@code (x + ONES) | x} those from 0x7F up, in each byte's top bit; as in
     * {@link HeadScan#nextLf}, bits above the lowest flagged byte may be false alarms (a borrow or a
     * carry from it), the lowest never is, and that one is looked at byte by byte.
     */
    private static int valueLf(MemorySegment in, int i, int lim) {
        while (true) {
            int s = -1;
            for (; i + 8 <= lim; i += 8) {
                long x = in.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
                long t = (((x - SPS) & ~x) | ((x + ONES) | x)) & HIGHS;
                if (t != 0) {
                    s = i + (Long.numberOfTrailingZeros(t) >>> 3);
                    break;
                }
            }
            if (s < 0) {
                for (; i < lim; i++) {
                    byte v = in.get(ValueLayout.JAVA_BYTE, i);
                    if (v < SP || v >= 0x7F) break;
                }
                if (i == lim) return NEED_MORE;
                s = i;
            }
            byte v = in.get(ValueLayout.JAVA_BYTE, s);
            if (v == LF) return s;
            if (v == CR) {
                if (s + 1 == lim) return NEED_MORE;
                return in.get(ValueLayout.JAVA_BYTE, s + 1) == LF ? s + 1 : -BAD;  // no bare CR
            }
            if (v != HT) return -BAD;  // CTLs, NUL, DEL and bytes over 0x7F
            i = s + 1;
        }
    }

    private static final int HEAD_LE = 'H' | 'E' << 8 | 'A' << 16 | 'D' << 24;
    private static final int HTTP_LE = 'H' | 'T' << 8 | 'T' << 16 | 'P' << 24;
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "close".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean isTchar(byte b) {
        return b >= 0 && TCHAR[b];
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isOws(byte b) {
        return b == SP || b == HT;
    }

    private static boolean bytesEqual(MemorySegment in, int at, byte[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (in.get(ValueLayout.JAVA_BYTE, at + k) != expected[k]) return false;
        }
        return true;
    }

    /** Case-insensitive comparison with a lower-case ASCII name. */
    private static boolean nameIs(MemorySegment in, int at, int length, byte[] lower) {
        if (length != lower.length) return false;
        for (int k = 0; k < length; k++) {
            if ((in.get(ValueLayout.JAVA_BYTE, at + k) | 0x20) != lower[k]) return false;
        }
        return true;
    }

    /** 1*DIGIT of at most 18 digits, else -1 (empty, sign, spaces, commas, overflow). */
    private static long digits(MemorySegment in, int from, int to) {
        if (from == to || to - from > 18) return -1;
        long v = 0;
        for (int k = from; k < to; k++) {
            byte b = in.get(ValueLayout.JAVA_BYTE, k);
            if (!isDigit(b)) return -1;
            v = v * 10 + (b - '0');
        }
        return v;
    }

    /** Connection = #connection-option: notes "close" and "keep-alive" among comma-separated tokens. */
    private void connectionTokens(MemorySegment in, int from, int to) {
        int k = from;
        while (k < to) {
            while (k < to && (isOws(in.get(ValueLayout.JAVA_BYTE, k)) || in.get(ValueLayout.JAVA_BYTE, k) == ',')) k++;
            int s = k;
            while (k < to && in.get(ValueLayout.JAVA_BYTE, k) != ',' && !isOws(in.get(ValueLayout.JAVA_BYTE, k))) k++;
            if (nameIs(in, s, k - s, CLOSE)) connectionClose = true;
            else if (nameIs(in, s, k - s, KEEP_ALIVE)) connectionKeepAlive = true;
        }
    }
}
