package edgepoll.proto;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Every HTTP response edgepoll sends, prebuilt in native memory owned by the loop's arena, so a
 * reply is one bulk copy. The Date header in each is rewritten in place at most once a second
 * ({@link #tick}). A body of up to {@link #INLINE_BODY_MAX} bytes is part of the template; a larger
 * one is one shared read-only segment sent by cursor, never copied per connection.
 */
final class HttpResponses {
    static final int INLINE_BODY_MAX = edgepoll.config.Options.HTTP_INLINE_BODY_MAX;

    /** A response: {@code seg[0, headLength)} is the head; {@code seg[0, length)} with an inline body. */
    record Template(MemorySegment seg, int headLength, int length) {}

    final Template okKeepAlive;
    final Template okKeepAlive10;
    final Template okClose;
    final Template badRequest;
    final Template headerTooLarge;
    final Template notImplemented;
    final Template versionNotSupported;
    /** The body when it is not inline, else null. */
    final MemorySegment largeBody;
    final long bodyLength;
    /** Length of the longest template: the output room processing needs before it parses a request. */
    final int maxLength;

    private final List<MemorySegment> dated = new ArrayList<>();
    private final List<Integer> dateOffsets = new ArrayList<>();
    private final byte[] date = new byte[HttpDate.LENGTH];
    private long second = Long.MIN_VALUE;

    HttpResponses(Arena arena, long bodyLength) {
        this.bodyLength = bodyLength;
        byte[] body = body(bodyLength);
        boolean inline = bodyLength <= INLINE_BODY_MAX;
        this.largeBody = inline ? null : arena.allocate(bodyLength, 64).copyFrom(MemorySegment.ofArray(body));
        byte[] inlineBody = inline ? body : new byte[0];
        okKeepAlive = build(arena, "200 OK", "", "text/plain", bodyLength, inlineBody);
        okKeepAlive10 = build(arena, "200 OK", "Connection: keep-alive\r\n", "text/plain", bodyLength, inlineBody);
        okClose = build(arena, "200 OK", "Connection: close\r\n", "text/plain", bodyLength, inlineBody);
        badRequest = error(arena, "400 Bad Request");
        headerTooLarge = error(arena, "431 Request Header Fields Too Large");
        notImplemented = error(arena, "501 Not Implemented");
        versionNotSupported = error(arena, "505 HTTP Version Not Supported");
        int max = 0;
        for (Template t : List.of(okKeepAlive, okKeepAlive10, okClose, badRequest, headerTooLarge,
                notImplemented, versionNotSupported)) {
            max = Math.max(max, t.length);
        }
        maxLength = max;
        if (maxLength > edgepoll.config.Options.httpReplyRoom(bodyLength)) {  // the bound Options.parse refuses flags by
            throw new IllegalStateException("a reply of " + maxLength + " bytes exceeds Options.httpReplyRoom " + edgepoll.config.Options.httpReplyRoom(bodyLength));
        }
        tick(System.currentTimeMillis() / 1000);
    }

    /** The seed's body, "Hello, world!", repeated or cut to {@code n} bytes. */
    static byte[] body(long n) {
        byte[] hello = "Hello, world!".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[Math.toIntExact(n)];
        for (int i = 0; i < b.length; i++) b[i] = hello[i % hello.length];
        return b;
    }

    private Template error(Arena arena, String status) {
        byte[] body = (status + "\n").getBytes(StandardCharsets.US_ASCII);
        return build(arena, status, "Connection: close\r\n", "text/plain", body.length, body);
    }

    private Template build(Arena arena, String status, String connection, String type, long contentLength, byte[] inlineBody) {
        String head = "HTTP/1.1 " + status + "\r\n"
                + "Server: edgepoll\r\n"
                + "Date: " + "X".repeat(HttpDate.LENGTH) + "\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Length: " + contentLength + "\r\n"
                + connection
                + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        MemorySegment seg = arena.allocate(h.length + inlineBody.length, 64);
        MemorySegment.copy(h, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, h.length);
        MemorySegment.copy(inlineBody, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, h.length, inlineBody.length);
        dated.add(seg);
        dateOffsets.add(head.indexOf("Date: ") + 6);
        return new Template(seg, h.length, h.length + inlineBody.length);
    }

    /** Rewrites the Date header of every template when the second changed. Allocates nothing. */
    void tick(long epochSecond) {
        if (epochSecond == second) {
            return;
        }
        second = epochSecond;
        HttpDate.format(epochSecond, date);
        for (int i = 0; i < dated.size(); i++) {
            MemorySegment.copy(date, 0, dated.get(i), java.lang.foreign.ValueLayout.JAVA_BYTE, dateOffsets.get(i), date.length);
        }
    }
}
