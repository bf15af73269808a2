package edgepoll.bench.peers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Finds where HTTP request heads end in a buffer, and whether the connection must close after the
 * reply; parses nothing else (any request gets the hello-world reply, bodies are not supported: the
 * benchmarks send GETs). Works on absolute indexes of a {@link ByteBuffer}, so Netty's
 * {@code internalNioBuffer} and the NIO server's direct buffers share it without copying.
 *
 * <p>A head ends at an empty line: CRLF CRLF, or LF LF (and LF CRLF) as edgepoll accepts. The
 * connection closes after {@code Connection: close}, or for HTTP/1.0 without
 * {@code Connection: keep-alive}. One instance per event loop thread; {@link #close} is scratch for
 * the last head found.
 */
public final class RequestHeads {
    private static final byte CR = '\r', LF = '\n';
    private static final byte[] HTTP_10 = ascii("HTTP/1.0");
    private static final byte[] CONNECTION = ascii("connection:");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    /** Set by {@link #find}: the reply must say Connection: close, and nothing after this request is answered. */
    boolean close;

    /** The first index in {@code [from, to)} that is not CR or LF (RFC 9112 section 2.2 ignores empty lines before a request). */
    static int skipEmptyLines(ByteBuffer b, int from, int to) {
        while (from < to && (b.get(from) == CR || b.get(from) == LF)) from++;
        return from;
    }

    /** The index just past the empty line ending the head that starts at {@code from}, or -1 while incomplete. */
    int find(ByteBuffer b, int from, int to) {
        boolean requestLine = true, http10 = false, closeToken = false, keepAlive = false;
        int line = from;
        for (int i = from; i < to; i++) {
            if (b.get(i) != LF) continue;
            int end = i > line && b.get(i - 1) == CR ? i - 1 : i;
            if (end == line) {
                close = closeToken || (http10 && !keepAlive);
                return i + 1;
            }
            if (requestLine) {
                http10 = end - line >= HTTP_10.length && matches(b, end - HTTP_10.length, HTTP_10);
                requestLine = false;
            } else if (end - line >= CONNECTION.length && matches(b, line, CONNECTION)) {
                closeToken |= contains(b, line + CONNECTION.length, end, CLOSE);
                keepAlive |= contains(b, line + CONNECTION.length, end, KEEP_ALIVE);
            }
            line = i + 1;
        }
        return -1;
    }

    /** Case-insensitive comparison with a lower-case ASCII word at {@code at}. */
    private static boolean matches(ByteBuffer b, int at, byte[] lower) {
        for (int k = 0; k < lower.length; k++) {
            if ((b.get(at + k) | 0x20) != (lower[k] | 0x20)) return false;
        }
        return true;
    }

    private static boolean contains(ByteBuffer b, int from, int to, byte[] lower) {
        for (int at = from; at + lower.length <= to; at++) {
            if (matches(b, at, lower)) return true;
        }
        return false;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
