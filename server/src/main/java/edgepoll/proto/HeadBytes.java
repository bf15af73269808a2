package edgepoll.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The byte-level tests {@link RequestHead} parses with: the character classes of RFC 9110/9112
 * (tchar, OWS, DIGIT), case-insensitive name matching, Content-Length digits, and the eight-bytes-
 * at-a-time scan to a field value's LF. Stateless, static, small enough for C2 to inline.
 */
final class HeadBytes {
    static final byte CR = '\r', LF = '\n', SP = ' ', HT = '\t';
    /** tchar of RFC 9110 section 5.6.2, indexed by byte. */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char ch = '0'; ch <= '9'; ch++) TCHAR[ch] = true;
        for (char ch = 'a'; ch <= 'z'; ch++) TCHAR[ch] = true;
        for (char ch = 'A'; ch <= 'Z'; ch++) TCHAR[ch] = true;
        for (char ch : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[ch] = true;
    }

    private HeadBytes() {}

    static boolean isLineEnd(byte b) {
        return b == CR || b == LF;
    }

    static boolean isTchar(byte b) {
        return b >= 0 && TCHAR[b];
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean isOws(byte b) {
        return b == SP || b == HT;
    }

    private static final long ONES = 0x0101010101010101L, HIGHS = 0x8080808080808080L, SPS = ONES * SP;

    /**
     * The LF that ends a field value starting at {@code i}: its index, NEED_MORE if {@code lim} comes
     * first, or -BAD for a control character (other than HT, and CR right before the LF), DEL or a
     * byte over 0x7F. Eight bytes at a time: in a word, {@code (x - SPS) & ~x} flags the bytes below
     * 0x20 and {@code (x + ONES) | x} those from 0x7F up, in each byte's top bit; as in
     * {@link HeadScan#nextLf}, bits above the lowest flagged byte may be false alarms (a borrow or a
     * carry from it), the lowest never is, and that one is looked at byte by byte.
     */
    static int valueLf(MemorySegment in, int i, int lim) {
        while (true) {
            int s = -1;
            for (; i + 8 <= lim; i += 8) {
                long x = in.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
                long t = (((x - SPS) & ~x) | ((x + ONES) | x)) & HIGHS;
                if (t != 0) {
                    s = i + (Long.numberOfTrailingZeros(t) >>> 3);
                    break;
                }
            }
            if (s < 0) {
                for (; i < lim; i++) {
                    byte v = in.get(ValueLayout.JAVA_BYTE, i);
                    if (v < SP || v >= 0x7F) break;
                }
                if (i == lim) return RequestHead.NEED_MORE;
                s = i;
            }
            byte v = in.get(ValueLayout.JAVA_BYTE, s);
            if (v == LF) return s;
            if (v == CR) {
                if (s + 1 == lim) return RequestHead.NEED_MORE;
                return in.get(ValueLayout.JAVA_BYTE, s + 1) == LF ? s + 1 : -RequestHead.BAD;  // no bare CR
            }
            if (v != HT) return -RequestHead.BAD;  // CTLs, NUL, DEL and bytes over 0x7F
            i = s + 1;
        }
    }

    static boolean bytesEqual(MemorySegment in, int at, byte[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (in.get(ValueLayout.JAVA_BYTE, at + k) != expected[k]) return false;
        }
        return true;
    }

    /** Case-insensitive comparison with a lower-case ASCII name. */
    static boolean nameIs(MemorySegment in, int at, int length, byte[] lower) {
        if (length != lower.length) return false;
        for (int k = 0; k < length; k++) {
            if ((in.get(ValueLayout.JAVA_BYTE, at + k) | 0x20) != lower[k]) return false;
        }
        return true;
    }

    /** 1*DIGIT of at most 18 digits, else -1 (empty, sign, spaces, commas, overflow). */
    static long digits(MemorySegment in, int from, int to) {
        if (from == to || to - from > 18) return -1;
        long v = 0;
        for (int k = from; k < to; k++) {
            byte b = in.get(ValueLayout.JAVA_BYTE, k);
            if (!isDigit(b)) return -1;
            v = v * 10 + (b - '0');
        }
        return v;
    }
}
