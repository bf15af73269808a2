package edgepoll.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time head-end search against the plain byte loop it replaced, on heads made to be hard. */
class HeadEndTest {

    @Test
    void wordAtATimeSearchAgreesWithTheByteLoop() {
        Random r = new Random(11);
        byte[] alphabet = {'\n', '\r', 'a', ' ', ':', (byte) 0x8a, (byte) 0x0a - 1, 0x0b, 0x09};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(512);
            int found = 0;
            for (int round = 0; round < 100_000; round++) {
                int n = r.nextInt(64);
                for (int k = 0; k < n; k++) in.set(java.lang.foreign.ValueLayout.JAVA_BYTE, k, alphabet[r.nextInt(alphabet.length)]);
                int pos = n == 0 ? 0 : r.nextInt(n);
                int expected = byteLoop(in, pos, n);
                if (expected >= 0) found++;
                assertEquals(expected, HeadScan.headEnd(in, pos, n), "round " + round);
            }
            assertEquals(true, found > 1_000, "enough inputs held a complete head: " + found);
        }
    }

    /** The search as it was, one byte at a time. */
    private static int byteLoop(MemorySegment in, int pos, int limit) {
        for (int i = pos; i < limit; i++) {
            if (in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != '\n') continue;
            if (i + 1 >= limit) return -1;
            byte b = in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i + 1);
            if (b == '\n') return i + 2;
            if (b == '\r') {
                if (i + 2 >= limit) return -1;
                if (in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i + 2) == '\n') return i + 3;
            }
        }
        return -1;
    }
}
