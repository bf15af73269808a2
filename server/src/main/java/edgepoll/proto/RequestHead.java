package edgepoll.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static edgepoll.proto.HeadBytes.CR;
import static edgepoll.proto.HeadBytes.HT;
import static edgepoll.proto.HeadBytes.LF;
import static edgepoll.proto.HeadBytes.SP;
import static edgepoll.proto.HeadBytes.bytesEqual;
import static edgepoll.proto.HeadBytes.digits;
import static edgepoll.proto.HeadBytes.isDigit;
import static edgepoll.proto.HeadBytes.isOws;
import static edgepoll.proto.HeadBytes.isTchar;
import static edgepoll.proto.HeadBytes.nameIs;
import static edgepoll.proto.HeadBytes.valueLf;

/**
 * One HTTP/1.x request head parsed in place from off-heap input (seed 001's rules, listed on
 * {@link HttpProtocol}): the request line and the header fields, into the fields below that
 * {@link HttpProtocol#process} reads to choose the reply. Scratch for the request being parsed,
 * reused for every request: owned by one protocol instance, so by one loop; no allocation.
 */
final class RequestHead {
    /** {@link #read} results other than a head's end: more bytes needed, or minus an error status. */
    static final int NEED_MORE = -1, BAD = 400, TOO_LARGE = 431, NOT_IMPLEMENTED = 501, BAD_VERSION = 505;

    private final int maxHeaderBytes;
    /** Whether GET /_edgepoll/stats is answered (else its target is an ordinary one). */
    private final boolean statsEndpoint;

    // What the last head parsed said; valid once read() returned its end.
    boolean head, http10, connectionClose, connectionKeepAlive, statsTarget;
    long contentLength;
    private boolean transferEncoding;

    RequestHead(int maxHeaderBytes, boolean statsEndpoint) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.statsEndpoint = statsEndpoint;
    }

    /**
     * The request head starting at {@code pos}, parsed into the fields: the index just past its
     * empty line, NEED_MORE while it is incomplete, or minus the error status.
     *
     * <p>One pass on the common path: {@link #parse} walks the head once, finding the line ends as it
     * goes (header values eight bytes at a time), so nothing scans the head before it. Only when that
     * pass cannot answer at once (the head is incomplete, too long or malformed) does the head's end
     * decide, as it always did: {@link HeadScan#headEnd} finds it, a head over
     * {@code --max-header-bytes} gets 431 whether or not it is well-formed, an incomplete one waits
     * (431 once it is that long), and a complete one gets the status its bytes call for.
     */
    int read(MemorySegment in, int pos, int limit) {
        int end = parse(in, pos, (int) Math.min(limit, (long) pos + maxHeaderBytes));
        if (end >= 0) return end;
        int e = HeadScan.headEnd(in, pos, limit);
        if (e < 0) return limit - pos >= maxHeaderBytes ? -TOO_LARGE : NEED_MORE;
        if (e - pos > maxHeaderBytes) return -TOO_LARGE;
        end = parse(in, pos, e);
        return end == NEED_MORE ? -BAD : end;  // the head is complete: what did not fit is malformed
    }

    private static final int HEAD_LE = 'H' | 'E' << 8 | 'A' << 16 | 'D' << 24;
    private static final int HTTP_LE = 'H' | 'T' << 8 | 'T' << 16 | 'P' << 24;
    private static final byte[] STATS_PATH = "/_edgepoll/stats".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "close".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "keep-alive".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Parses the head starting at {@code pos}, reading no byte at or past {@code lim}, into the
     * fields: returns the index just past its empty line, NEED_MORE if {@code lim} came first,
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
        statsTarget = statsEndpoint && i - start == STATS_PATH.length && bytesEqual(in, start, STATS_PATH);
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
