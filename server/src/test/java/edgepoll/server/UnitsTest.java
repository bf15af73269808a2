package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The small pure pieces: option parsing, the Date formatter, timer lists. */
class UnitsTest {

    @Test
    void optionsParseBothFormsAndRejectNonsense() {
        Options o = Options.parse(new String[] {"--mode=lt", "--port", "0", "--idle-timeout", "1500ms", "--nodelay"});
        assertEquals("lt", o.mode());
        assertEquals(0, o.port());
        assertEquals(1500, o.idleTimeoutMs());
        assertEquals(true, o.nodelay());
        assertEquals(30_000, Options.parse(new String[] {"--idle-timeout", "30s"}).idleTimeoutMs());
        assertEquals(120_000, Options.parse(new String[] {"--idle-timeout", "2m"}).idleTimeoutMs());
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--idle-timeout", "soon"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--mode", "lt", "--drain", "short-read"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--loops", "0"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"extra"}));
    }

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

    @Test
    void timerListExpiresInDeadlineOrderAndRearmsInConstantTime() {
        TimerList list = new TimerList(100);
        Connection a = new Connection(1), b = new Connection(2), c = new Connection(3);
        list.arm(a, 0);
        list.arm(b, 10);
        list.arm(c, 20);
        list.arm(a, 30);  // activity on a moves it to the back
        assertEquals(null, list.expired(109));
        assertEquals(b, list.expired(110));
        list.remove(b);
        assertEquals(10, list.untilNext(110));
        assertEquals(c, list.expired(120));
        list.remove(c);
        assertEquals(a, list.expired(130));
        list.remove(a);
        assertEquals(-1, list.untilNext(130));
    }
}
