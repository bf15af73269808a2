package edgepoll.load;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Frames HTTP/1.1 responses in a byte stream that arrives in arbitrary pieces: status line, header
 * lines up to the empty line, then a {@code Content-Length} body (none without the header). The
 * state lives in a few ints, so a response split across reads needs no copy and no buffer, and many
 * responses in one read are framed one after the other. {@code Transfer-Encoding} (chunked) is not
 * spoken: edgepoll never sends it, and a generator that cannot frame a reply must not guess.
 *
 * <p>One per connection, used by its generator thread only.
 */
final class HttpResponseParser {
    /** {@link #parse} result: every byte was consumed and the response is not complete yet. */
    static final long NEED_MORE = -1;
    /** {@link #parse} result: the bytes are not an HTTP/1.x response this parser can frame. */
    static final long MALFORMED = -2;

    private static final byte[] HTTP = "HTTP/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final int STATUS_LINE = 0, HEADER_LINE = 1, BODY = 2;

    private int state;
    /** Bytes of the current line seen so far, CR excluded. */
    private int column;
    /** Status line: spaces seen; header line: whether the colon was seen. */
    private int marks;
    /** Bytes of the header name matched so far, or -1 once it cannot be the name. */
    private int lengthMatch;
    private int encodingMatch;
    private long contentLength;
    private long bodyLeft;
    /** The status code of the response being read. */
    private int code;
    /** The status code of the response {@link #parse} completed last. */
    int status;

    /** Forgets any partial response (after a reconnect). */
    void reset() {
        state = STATUS_LINE;
        column = 0;
        marks = 0;
        code = 0;
        contentLength = -1;
    }

    HttpResponseParser() {
        reset();
    }

    /**
     * Consumes {@code buf[from, to)} up to the end of the first response that completes in it.
     *
     * @return the offset just past that response ({@link #status} holds its code), {@link #NEED_MORE},
     *         or {@link #MALFORMED}
     */
    long parse(MemorySegment buf, long from, long to) {
        long i = from;
        while (i < to) {
            if (state == BODY) {
                long take = Math.min(bodyLeft, to - i);
                bodyLeft -= take;
                i += take;
                if (bodyLeft == 0) return complete(i);
                continue;
            }
            byte b = buf.get(ValueLayout.JAVA_BYTE, i++);
            if (b == '\n') {
                if (state == STATUS_LINE) {
                    if (marks < 1 || code < 100) return MALFORMED;
                    startHeaderLine();
                    state = HEADER_LINE;
                } else if (column == 0) {  // the empty line: the head is complete
                    if (contentLength <= 0) return complete(i);
                    bodyLeft = contentLength;
                    state = BODY;
                } else {
                    if (lengthMatch == CONTENT_LENGTH.length && contentLength < 0) return MALFORMED;
                    startHeaderLine();
                }
                continue;
            }
            if (b == '\r') continue;
            if (state == STATUS_LINE ? !statusByte(b) : !headerByte(b)) return MALFORMED;
            column++;
        }
        return NEED_MORE;
    }

    private long complete(long end) {
        status = code;
        reset();
        return end;
    }

    private void startHeaderLine() {
        column = 0;
        marks = 0;
        lengthMatch = 0;
        encodingMatch = 0;
    }

    /** "HTTP/1.1 200 OK": checks the protocol name and takes the three digits after the first space. */
    private boolean statusByte(byte b) {
        if (column < HTTP.length) return b == HTTP[column];
        if (b == ' ') {
            marks++;
            return true;
        }
        if (marks == 1) {
            if (b < '0' || b > '9' || code >= 100) return false;
            code = code * 10 + (b - '0');
        }
        return true;
    }

    private boolean headerByte(byte b) {
        if (b < ' ' && b != '\t') return false;
        if (marks == 0) {
            if (b == ':') {
                marks = 1;
                if (encodingMatch == TRANSFER_ENCODING.length) return false;  // chunked framing: not spoken
                if (lengthMatch == CONTENT_LENGTH.length) {
                    if (contentLength >= 0) return false;  // a second Content-Length
                    contentLength = -1;
                }
                return true;
            }
            byte lower = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
            lengthMatch = match(lengthMatch, CONTENT_LENGTH, lower);
            encodingMatch = match(encodingMatch, TRANSFER_ENCODING, lower);
            return true;
        }
        if (lengthMatch != CONTENT_LENGTH.length || b == ' ' || b == '\t') return true;
        if (b < '0' || b > '9') return false;
        long v = (contentLength < 0 ? 0 : contentLength) * 10 + (b - '0');
        if (v > 1L << 50) return false;
        contentLength = v;
        return true;
    }

    private static int match(int matched, byte[] name, byte lower) {
        return matched >= 0 && matched < name.length && name[matched] == lower ? matched + 1 : -1;
    }
}
