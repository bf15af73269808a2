package edgepoll.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Finding where a request head ends in received bytes (an empty line: CRLF CRLF, LF LF or LF CRLF,
 * as seed 001 accepts), eight bytes at a time. Stateless. {@link RequestHead}'s one-pass parse
 * finds a head's end itself; this decides only what that pass cannot answer at once (an incomplete,
 * oversized or malformed head), with the rules the server has always applied.
 */
final class HeadScan {
    private static final byte CR = '\r', LF = '\n';

    private HeadScan() {}

    /** Index just past the empty line that ends the head starting at {@code pos}, or -1 if not buffered yet. */
    static int headEnd(MemorySegment in, int pos, int limit) {
        for (int i = pos; (i = nextLf(in, i, limit)) >= 0; i++) {
            if (i + 1 >= limit) return -1;
            byte b = in.get(ValueLayout.JAVA_BYTE, i + 1);
            if (b == LF) return i + 2;
            if (b == CR) {
                if (i + 2 >= limit) return -1;
                if (in.get(ValueLayout.JAVA_BYTE, i + 2) == LF) return i + 3;
            }
        }
        return -1;
    }

    private static final long ONES = 0x0101010101010101L, HIGHS = 0x8080808080808080L, LFS = ONES * LF;

    /**
     * The index of the first LF in {@code [i, limit)}, or -1; eight bytes at a time: in
     * {@code x = word ^ LFS} an LF is a zero byte, and {@code (x - ONES) & ~x & HIGHS} sets the top
     * bit of the first zero byte (bits above it may be false alarms, the lowest one never is; the
     * segment is read in the platform's little-endian order, so the lowest bit is the lowest address).
     */
    static int nextLf(MemorySegment in, int i, int limit) {
        for (; i + 8 <= limit; i += 8) {
            long x = in.get(ValueLayout.JAVA_LONG_UNALIGNED, i) ^ LFS;
            long t = (x - ONES) & ~x & HIGHS;
            if (t != 0) return i + (Long.numberOfTrailingZeros(t) >>> 3);
        }
        for (; i < limit; i++) {
            if (in.get(ValueLayout.JAVA_BYTE, i) == LF) return i;
        }
        return -1;
    }
}
