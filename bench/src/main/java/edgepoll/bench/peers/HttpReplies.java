package edgepoll.bench.peers;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The bytes of the peers' HTTP responses: edgepoll's headers in edgepoll's order (status line,
 * Server, Date, Content-Type, Content-Length, then Connection: close only when closing) and its
 * body, so that every server in a comparison sends the same bytes per request bar the Server name.
 * Built once a second (for the Date), never per request.
 */
final class HttpReplies {
    /** The largest request head accepted, edgepoll's default --max-header-bytes; beyond it 431 and close. */
    static final int MAX_HEAD_BYTES = 8192;

    /** Sent when a request head outgrows {@link #MAX_HEAD_BYTES}; the connection closes after it. */
    static final byte[] TOO_LARGE = ascii("HTTP/1.1 431 Request Header Fields Too Large\r\n"
            + "Content-Length: 0\r\nConnection: close\r\n\r\n");

    /** IMF-fixdate, RFC 9110 section 5.6.7 ({@code RFC_1123_DATE_TIME} drops the day's leading zero). */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private HttpReplies() {}

    /** {@code 200 OK} with a {@code bodySize}-byte body, dated {@code epochSecond}; {@code close} adds Connection: close. */
    static byte[] ok(String server, long epochSecond, int bodySize, boolean close) {
        byte[] head = ascii("HTTP/1.1 200 OK\r\n"
                + "Server: " + server + "\r\n"
                + "Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(epochSecond)) + "\r\n"
                + "Content-Type: text/plain\r\n"
                + "Content-Length: " + bodySize + "\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n");
        byte[] reply = new byte[head.length + bodySize];
        System.arraycopy(head, 0, reply, 0, head.length);
        byte[] hello = ascii("Hello, world!");
        for (int i = 0; i < bodySize; i++) reply[head.length + i] = hello[i % hello.length];
        return reply;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
