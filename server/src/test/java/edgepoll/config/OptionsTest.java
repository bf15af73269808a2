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

    /** Each choice flag is parsed once into its enum and printed back as the word it took. */
    @Test
    void choiceFlagsRoundTripTheirWords() {
        for (String m : Options.MODES) assertEquals(m, Options.parse(new String[] {"--mode", m}).mode().toString());
        assertEquals(Mode.BUSY_POLL, Options.parse(new String[] {"--mode", "busy-poll"}).mode());
        assertEquals(Drain.SHORT_READ, Options.parse(new String[] {"--drain=short-read"}).drain());
        assertEquals(Drain.NAIVE, Options.parse(new String[] {"--drain", Options.NAIVE_DRAIN}).drain());
        assertEquals(ListenerMode.EXCLUSIVE, Options.parse(new String[] {"--listener", "exclusive"}).listener());
        assertEquals(SharedEpollMode.ONESHOT, Options.parse(new String[] {"--shared-epoll", "oneshot"}).sharedEpoll());
        assertEquals(TraceFormat.PERFETTO, Options.parse(new String[] {"--trace-format", "perfetto"}).traceFormat());
        assertEquals(AppProtocol.ECHO, Options.parse(new String[] {"--protocol", "echo"}).protocol());
        assertEquals("--mode must be one of et|lt|poll|busy-poll|blocking|threads|virtual-threads|uring, not 'x'",
                assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--mode", "x"})).getMessage());
        assertEquals("--drain must be one of strict|short-read, not 'x'",
                assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--drain", "x"})).getMessage());
        assertEquals("level", Options.parse(new String[] {"--mode", "poll"}).drainPolicy());
        assertEquals("completion", Options.parse(new String[] {"--mode", "uring"}).drainPolicy());
        assertEquals("short-read", Options.parse(new String[] {"--drain", "short-read"}).drainPolicy());
    }
}
