package edgepoll.proto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer fuzzes the request parser in place, exactly as the loop drives it: the input lands in a
 * connection's input buffer (in one piece or split where the fuzzer says), process() runs, and
 * whatever the bytes are it must answer with complete 200 responses and at most one 4xx that
 * closes the connection, never throw, never read or write out of its buffers, never loop.
 *
 * <p>Without JAZZER_FUZZ=1 (plain scripts/test) it replays the committed corpus in
 * src/test/resources/edgepoll/proto/HttpParserFuzzTestInputs/parse/ plus Jazzer's findings; with
 * it (scripts/test-fuzz) it fuzzes for the given time and adds new findings there.
 */
class HttpParserFuzzTest {
    private static final Arena ARENA = Arena.ofShared();
    private static final HttpResponses RESPONSES = new HttpResponses(ARENA, 13);
    private static final int MAX_HEADER = 256;

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        HttpProtocol http = new HttpProtocol(RESPONSES, MAX_HEADER, null, false);
        try (Arena a = Arena.ofConfined()) {
            Exchange c = new Exchange();
            c.in = a.allocate(Math.max(MAX_HEADER, 1024));
            c.out = a.allocate(16384);
            int fed = 0, rounds = 0;
            StringBuilder replies = new StringBuilder();
            while (fed < input.length || c.buffered() > 0) {
                int room = (int) c.in.byteSize() - c.inLen;
                int n = Math.min(room, input.length - fed);
                MemorySegment.copy(input, fed, c.in, java.lang.foreign.ValueLayout.JAVA_BYTE, c.inLen, n);
                c.inLen += n;
                fed += n;
                int before = c.inPos;
                http.process(c);
                replies.append(new String(c.out.asSlice(0, c.outLen).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1));
                c.outLen = 0;
                c.bodySent = c.bodyLength = 0;
                if (c.closeAfterFlush) break;
                // compact, as the loop does
                int left = c.inLen - c.inPos;
                MemorySegment.copy(c.in, c.inPos, c.in, 0, left);
                c.inPos = 0;
                c.inLen = left;
                if (c.inPos == before && n == 0) break;  // needs more bytes than the input has
                assertTrue(++rounds < 100_000, "parser made no progress");
            }
            String r = replies.toString();
            int errors = 0;
            for (String status : new String[] {"400 ", "431 ", "501 ", "505 "}) {
                errors += r.split("HTTP/1.1 " + status, -1).length - 1;
            }
            assertTrue(errors <= 1, "at most one error reply, then close: " + r);
            assertTrue(errors == 0 || c.closeAfterFlush, "an error reply closes the connection");
            assertTrue(c.buffered() <= c.in.byteSize(), "input stays within its buffer");
        }
    }
}
