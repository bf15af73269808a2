package edgepoll.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Seeds 002/003: every byte received goes back upper-cased (ASCII a-z only), in order, until the
 * client closes. Copies as much as fits in the output buffer; the loop stops reading while output
 * is pending, which bounds a connection to one input and one output buffer (backpressure).
 */
public final class EchoProtocol implements Protocol {
    @Override
    public int process(Exchange c) {
        int n = Math.min(c.inLen - c.inPos, (int) c.out.byteSize() - c.outLen);
        if (n <= 0) {
            return 0;
        }
        upperCase(c.in, c.inPos, c.out, c.outLen, n);
        c.inPos += n;
        c.outLen += n;
        return 0;  // a stream, not requests: the counters count bytes
    }

    /** Copies {@code n} bytes, mapping a-z to A-Z; eight bytes at a time (SWAR) where it can. */
    static void upperCase(MemorySegment src, long from, MemorySegment dst, long to, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long x = src.get(ValueLayout.JAVA_LONG_UNALIGNED, from + i);
            dst.set(ValueLayout.JAVA_LONG_UNALIGNED, to + i, upper8(x));
        }
        for (; i < n; i++) {
            byte b = src.get(ValueLayout.JAVA_BYTE, from + i);
            dst.set(ValueLayout.JAVA_BYTE, to + i, (b >= 'a' && b <= 'z') ? (byte) (b - 32) : b);
        }
    }

    /**
     * Upper-cases the ASCII letters among eight bytes. For each byte b < 0x80:
     * (b + 0x80 - 'a') has its top bit set iff b >= 'a', and (b + 0x80 - ('z' + 1)) iff b > 'z';
     * the difference of the two marks a-z; its top bit shifted to 0x20 is the bit to clear.
     * Bytes >= 0x80 are masked out first so they never match.
     */
    static long upper8(long x) {
        final long ones = 0x0101010101010101L;
        long ascii = ~x & (ones * 0x80);                  // 0x80 in bytes < 0x80
        long low7 = x & (ones * 0x7F);
        long geA = low7 + ones * (0x80 - 'a');            // top bit set where byte >= 'a'
        long gtZ = low7 + ones * (0x80 - 'z' - 1);        // top bit set where byte > 'z'
        long isLower = geA & ~gtZ & ascii & (ones * 0x80);
        return x ^ (isLower >>> 2);
    }
}
