package edgepoll.bench.peers;

import java.nio.ByteBuffer;

/** The echo protocol's transformation: ASCII a-z to A-Z in place, eight bytes at a time where it can. */
final class Ascii {
    private Ascii() {}

    /** Upper-cases {@code b[from, to)} in place (absolute indexes; position and limit untouched). */
    static void upperCase(ByteBuffer b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) b.putLong(i, upper8(b.getLong(i)));
        for (; i < to; i++) {
            byte c = b.get(i);
            if (c >= 'a' && c <= 'z') b.put(i, (byte) (c - 32));
        }
    }

    /**
     * The same SWAR step as edgepoll's EchoProtocol: for each byte below 0x80, adding
     * {@code 0x80 - 'a'} sets its top bit iff it is at least 'a', adding {@code 0x80 - 'z' - 1} iff
     * it is past 'z'; the difference marks a-z, shifted down to 0x20, the bit to clear. Byte order
     * does not matter: every lane is independent.
     */
    static long upper8(long x) {
        final long ones = 0x0101010101010101L;
        long ascii = ~x & (ones * 0x80);
        long low7 = x & (ones * 0x7F);
        long geA = low7 + ones * (0x80 - 'a');
        long gtZ = low7 + ones * (0x80 - 'z' - 1);
        return x ^ ((geA & ~gtZ & ascii & (ones * 0x80)) >>> 2);
    }
}
