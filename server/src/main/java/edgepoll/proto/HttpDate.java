package edgepoll.proto;

/**
 * The IMF-fixdate of RFC 9110 section 5.6.7, {@code Sun, 06 Nov 1994 08:49:37 GMT}, written into a
 * reused 29-byte array with no allocation, so the loop can refresh its cached Date header once a
 * second for free.
 */
final class HttpDate {
    static final int LENGTH = 29;
    private static final byte[] DAYS = "SunMonTueWedThuFriSat".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private HttpDate() {}

    /** Writes the date of {@code epochSecond} (UTC) into {@code dst[0..29)}. */
    static void format(long epochSecond, byte[] dst) {
        long days = Math.floorDiv(epochSecond, 86_400);
        int secs = (int) Math.floorMod(epochSecond, 86_400);
        int weekday = (int) Math.floorMod(days + 4, 7);  // 1970-01-01 was a Thursday
        // civil_from_days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms")
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);

        System.arraycopy(DAYS, weekday * 3, dst, 0, 3);
        dst[3] = ',';
        dst[4] = ' ';
        two(dst, 5, day);
        dst[7] = ' ';
        System.arraycopy(MONTHS, (month - 1) * 3, dst, 8, 3);
        dst[11] = ' ';
        two(dst, 12, (int) (year / 100));
        two(dst, 14, (int) (year % 100));
        dst[16] = ' ';
        two(dst, 17, secs / 3600);
        dst[19] = ':';
        two(dst, 20, secs / 60 % 60);
        dst[22] = ':';
        two(dst, 23, secs % 60);
        dst[25] = ' ';
        dst[26] = 'G';
        dst[27] = 'M';
        dst[28] = 'T';
    }

    private static void two(byte[] dst, int at, int v) {
        dst[at] = (byte) ('0' + v / 10);
        dst[at + 1] = (byte) ('0' + v % 10);
    }
}
