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
    private static final int OK = 0, BAD = 400, TOO_LARGE = 431, NOT_IMPLEMENTED = 501, BAD_VERSION = 505;
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
            int end = HeadScan.headEnd(in, pos, limit);
            if (end < 0) {
                if (limit - pos >= maxHeaderBytes) {
                    pos = fail(c, TOO_LARGE, limit);
                    served++;
                }
                break;
            }
            int status = end - pos > maxHeaderBytes ? TOO_LARGE : parse(in, pos, end);
            if (status != OK) {
                served++;
                pos = fail(c, status, limit);
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

    /** Parses the head in {@code [pos, end)} into the scratch fields; returns OK or an error status. */
    private int parse(MemorySegment in, int pos, int end) {
        head = http10 = connectionClose = connectionKeepAlive = transferEncoding = false;
        contentLength = 0;
        boolean sawLength = false;
        int i = pos;
        // request-line = method SP request-target SP HTTP-version
        int start = i;
        while (isTchar(in.get(ValueLayout.JAVA_BYTE, i))) i++;
        if (i == start || in.get(ValueLayout.JAVA_BYTE, i) != SP) return BAD;
        head = i - start == 4 && in.get(ValueLayout.JAVA_INT_UNALIGNED, start) == HEAD_LE;
        start = ++i;
        for (byte b; (b = in.get(ValueLayout.JAVA_BYTE, i)) > SP && b != 0x7F; ) i++;
        if (i == start || in.get(ValueLayout.JAVA_BYTE, i) != SP) return BAD;
        statsTarget = stats != null && i - start == STATS_PATH.length && bytesEqual(in, start, STATS_PATH);
        i++;
        if (end - i < 9 || in.get(ValueLayout.JAVA_INT_UNALIGNED, i) != HTTP_LE
                || in.get(ValueLayout.JAVA_BYTE, i + 4) != '/') return BAD;
        byte major = in.get(ValueLayout.JAVA_BYTE, i + 5), dot = in.get(ValueLayout.JAVA_BYTE, i + 6);
        byte minor = in.get(ValueLayout.JAVA_BYTE, i + 7);
        if (!isDigit(major) || dot != '.' || !isDigit(minor)) return BAD;
        i = lineEnd(in, i + 8);
        if (i < 0) return BAD;
        if (major != '1') return BAD_VERSION;
        http10 = minor == '0';
        // header-field = field-name ":" OWS field-value OWS, until the empty line
        while (true) {
            byte b = in.get(ValueLayout.JAVA_BYTE, i);
            if (b == LF || (b == CR && in.get(ValueLayout.JAVA_BYTE, i + 1) == LF)) break;
            if (b == SP || b == HT) return BAD;  // obsolete line folding
            int nameStart = i;
            while (isTchar(in.get(ValueLayout.JAVA_BYTE, i))) i++;
            int nameLength = i - nameStart;
            if (nameLength == 0 || in.get(ValueLayout.JAVA_BYTE, i) != ':') return BAD;
            i++;
            while (isOws(in.get(ValueLayout.JAVA_BYTE, i))) i++;
            int valueStart = i;
            for (byte v; (v = in.get(ValueLayout.JAVA_BYTE, i)) != LF; i++) {
                if ((v < SP && v != HT && v != CR) || v == 0x7F) return BAD;  // CTLs and NUL
                if (v == CR && in.get(ValueLayout.JAVA_BYTE, i + 1) != LF) return BAD;  // bare CR
            }
            int valueEnd = i++;
            while (valueEnd > valueStart && (isOws(in.get(ValueLayout.JAVA_BYTE, valueEnd - 1))
                    || in.get(ValueLayout.JAVA_BYTE, valueEnd - 1) == CR)) valueEnd--;
            if (nameIs(in, nameStart, nameLength, CONTENT_LENGTH)) {
                long v = digits(in, valueStart, valueEnd);
                if (v < 0 || (sawLength && v != contentLength)) return BAD;
                contentLength = v;
                sawLength = true;
            } else if (nameIs(in, nameStart, nameLength, TRANSFER_ENCODING)) {
                transferEncoding = true;
            } else if (nameIs(in, nameStart, nameLength, CONNECTION)) {
                connectionTokens(in, valueStart, valueEnd);
            }
        }
        if (transferEncoding) return sawLength ? BAD : NOT_IMPLEMENTED;
        return OK;
    }

    private static final int HEAD_LE = 'H' | 'E' << 8 | 'A' << 16 | 'D' << 24;
    private static final int HTTP_LE = 'H' | 'T' << 8 | 'T' << 16 | 'P' << 24;
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "close".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Index after CRLF or LF at {@code i}, or -1. */
    private static int lineEnd(MemorySegment in, int i) {
        byte b = in.get(ValueLayout.JAVA_BYTE, i);
        if (b == CR) b = in.get(ValueLayout.JAVA_BYTE, ++i);
        return b == LF ? i + 1 : -1;
    }

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
