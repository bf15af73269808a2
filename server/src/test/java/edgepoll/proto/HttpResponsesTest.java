package edgepoll.proto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.config.Options;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The room Options reserves for a reply ({@link Options#httpReplyRoom}, what it refuses flags by) holds
 * every prebuilt reply, whatever the body size: inline bodies up to 4 KiB, cursor-sent ones beyond.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpResponsesTest {
    @Test
    void everyTemplateFitsTheRoomOptionsReserves() {
        for (long n : new long[] {0, 1, 13, 999, 2048, 4095, 4096, 4097, 1 << 20}) {
            try (Arena arena = Arena.ofConfined()) {
                HttpResponses r = new HttpResponses(arena, n);
                long room = Options.httpReplyRoom(n);
                assertTrue(r.maxLength <= room, n + ": a reply of " + r.maxLength + " bytes, room " + room);
                // and not far above it: the bound refuses no buffer that could hold the reply by more than a head's room
                assertTrue(room - r.maxLength < Options.HTTP_HEAD_ROOM, n + ": room " + room + " for " + r.maxLength);
            }
        }
    }
}
