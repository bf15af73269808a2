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
 * loop. This class drives the exchange (which reply, keep-alive or close, HEAD, bodies, pipelining);
 * {@link RequestHead} parses each request head into the fields it reads.
 */
public final class HttpProtocol implements Protocol {
    private final HttpResponses responses;
    /** Builds the live stats JSON for GET /_edgepoll/stats; null turns the endpoint off. */
    private final java.util.function.Supplier<String> stats;

    /** The request being parsed (scratch, reused for every request). */
    private final RequestHead request;

    /** The blocking model answers one request per connection, as the seed's first server did. */
    private final boolean closeEach;

    public HttpProtocol(HttpResponses responses, int maxHeaderBytes, java.util.function.Supplier<String> stats, boolean closeEach) {
        this.responses = responses;
        this.stats = stats;
        this.request = new RequestHead(maxHeaderBytes, stats != null);
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
            while (pos < limit && HeadBytes.isLineEnd(in.get(ValueLayout.JAVA_BYTE, pos))) pos++;
            if (pos == limit || c.out.byteSize() - c.outLen < responses.maxLength) break;
            int end = request.read(in, pos, limit);
            if (end == RequestHead.NEED_MORE) break;
            if (end < 0) {
                served++;
                pos = fail(c, -end, limit);
                break;
            }
            boolean keepAlive = !closeEach && (request.http10
                    ? request.connectionKeepAlive && !request.connectionClose : !request.connectionClose);
            if (request.statsTarget) {  // not counted as a request: observing must not change the ratios
                queueStats(c, keepAlive);
                c.exchanges++;  // progress for the connection's timers all the same
                pos = keepAlive ? end : limit;
                c.discard = keepAlive ? request.contentLength : 0;
                if (!keepAlive) c.closeAfterFlush = true;
                break;  // the JSON goes out by cursor; later requests wait for it
            }
            served++;
            HttpResponses.Template t = !keepAlive ? responses.okClose
                    : request.http10 ? responses.okKeepAlive10 : responses.okKeepAlive;
            int n = request.head ? t.headLength() : t.length();
            MemorySegment.copy(t.seg(), 0, c.out, c.outLen, n);
            c.outLen += n;
            if (!request.head && responses.largeBody != null) {
                c.body = responses.largeBody;
                c.bodySent = 0;
                c.bodyLength = responses.bodyLength;
            }
            pos = end;
            c.discard = request.contentLength;
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
            case RequestHead.TOO_LARGE -> responses.headerTooLarge;
            case RequestHead.NOT_IMPLEMENTED -> responses.notImplemented;
            case RequestHead.BAD_VERSION -> responses.versionNotSupported;
            default -> responses.badRequest;
        };
        MemorySegment.copy(t.seg(), 0, c.out, c.outLen, t.length());
        c.outLen += t.length();
        c.closeAfterFlush = true;
        c.discard = 0;
        return limit;
    }
}
