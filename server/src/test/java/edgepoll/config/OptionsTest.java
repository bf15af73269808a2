package edgepoll.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Option parsing: both flag forms, durations, and one-line refusals. */
class OptionsTest {

    @Test
    void optionsParseBothFormsAndRejectNonsense() {
        Options o = Options.parse(new String[] {"--mode=lt", "--port", "0", "--idle-timeout", "1500ms", "--nodelay"});
        assertEquals(Mode.LT, o.mode());
        assertEquals("lt", o.mode().toString());
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
}
