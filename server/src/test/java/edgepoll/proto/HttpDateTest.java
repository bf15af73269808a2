package edgepoll.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Date header formatter against the JDK's. */
class HttpDateTest {

    @Test
    void httpDateMatchesTheJdkFormatterAcrossCenturies() {
        DateTimeFormatter imf = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
        byte[] out = new byte[HttpDate.LENGTH];
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            long t = i == 0 ? 0 : i == 1 ? 951_782_400L /* 2000-02-29 */ : r.nextLong(4_102_444_800L);
            HttpDate.format(t, out);
            assertEquals(imf.format(Instant.ofEpochSecond(t)), new String(out, StandardCharsets.US_ASCII));
        }
    }
}
