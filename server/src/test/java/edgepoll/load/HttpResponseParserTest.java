package edgepoll.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generator's response framing, fed the same stream in every possible cut. */
class HttpResponseParserTest {
    private static final String STREAM = String.join("",
            "HTTP/1.1 200 OK\r\nServer: edgepoll\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!",
            "HTTP/1.1 404 Not Found\r\ncontent-length:0\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nX-Content-Length-Not: 99\r\n\r\n",
            "HTTP/1.0 503 Service Unavailable\nCONTENT-LENGTH:  5 \n\nbusy!",
            "HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n" + "x".repeat(70_000));
    private static final List<Integer> STATUSES = List.of(200, 404, 204, 503, 200);

    /** Statuses of the responses completed when {@code bytes} arrive in the pieces that {@code cuts} mark. */
    private static List<Integer> parse(byte[] bytes, int... cuts) {
        MemorySegment seg = MemorySegment.ofArray(bytes);
        HttpResponseParser p = new HttpResponseParser();
        List<Integer> statuses = new ArrayList<>();
        long from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            long to = i < cuts.length ? cuts[i] : bytes.length;
            long pos = from;
            while (pos < to) {
                long end = p.parse(seg, pos, to);
                if (end == HttpResponseParser.NEED_MORE) break;
                if (end == HttpResponseParser.MALFORMED) {
                    statuses.add(-1);
                    return statuses;
                }
                statuses.add(p.status);
                pos = end;
            }
            from = to;
        }
        return statuses;
    }

    @Test
    void manyResponsesInOneRead() {
        assertEquals(STATUSES, parse(STREAM.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aStreamCutAnywhereFramesTheSameResponses() {
        byte[] b = STREAM.getBytes(StandardCharsets.US_ASCII);
        int headEnd = STREAM.length() - 70_000 + 10;  // every cut through the heads, and some in the long body
        for (int cut = 1; cut < headEnd; cut++) {
            assertEquals(STATUSES, parse(b, cut), "cut at " + cut);
            assertEquals(STATUSES, parse(b, cut / 2, cut), "cuts at " + cut / 2 + " and " + cut);
        }
    }

    @Test
    void oneByteAtATime() {
        byte[] b = STREAM.getBytes(StandardCharsets.US_ASCII);
        int[] cuts = new int[b.length - 1];
        for (int i = 0; i < cuts.length; i++) cuts[i] = i + 1;
        assertEquals(STATUSES, parse(b, cuts));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "XTTP/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad\u0001Header: 1\r\n\r\n",
    })
    void whatCannotBeFramedIsMalformed(String response) {
        assertEquals(List.of(-1), parse(response.getBytes(StandardCharsets.ISO_8859_1)), response);
    }
}
