package edgepoll.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The echo's word-at-a-time upper-casing against the byte loop. */
class EchoProtocolTest {
    @Test
    void swarUpperCaseMatchesTheByteLoop() {
        Random r = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            long x = r.nextLong();
            if (i < 256) x = 0x0101010101010101L * i;  // every byte value in every lane
            long expected = 0;
            for (int b = 0; b < 8; b++) {
                int v = (int) (x >>> (8 * b)) & 0xff;
                if (v >= 'a' && v <= 'z') v -= 32;
                expected |= (long) v << (8 * b);
            }
            assertEquals(expected, EchoProtocol.upper8(x), Long.toHexString(x));
        }
    }
}
