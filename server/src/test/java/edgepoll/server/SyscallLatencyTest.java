package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.config.Options;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.Variants;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.SyscallLatency;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * --syscall-latency: one histogram per call and outcome, holding every counted call, in all three
 * reports, in every mode that keeps a connection open (RecordingPerModeTest covers blocking too).
 */
@Timeout(60)
class SyscallLatencyTest {

    private static long count(SyscallLatency lat, Sys s, int outcome) {
        Histogram h = lat.histogram(s, outcome);
        return h == null ? 0 : h.getTotalCount();
    }

    /** Every keep-alive mode, and et with each --shared-epoll: a mode followed by its extra flags. */
    static Stream<Arguments> keepAliveModes() {
        Stream<Arguments> modes = Variants.keepAlive().map(v -> Arguments.of(v, new String[0]));
        Stream<Arguments> shared = Options.SHARED_EPOLL.stream().filter(x -> !x.equals("off"))
                .map(x -> Arguments.of("et", new String[] {"--shared-epoll", x, "--loops", "2"}));
        return Stream.concat(modes, shared);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("keepAliveModes")
    void everyCountedCallIsTimedUnderItsOutcome(String mode, String[] extra) throws Exception {
        String[] flags = Stream.concat(Stream.of("--syscall-latency"), Stream.of(extra)).toArray(String[]::new);
        try (ServerHandle s = ServerHandle.start(mode, flags)) {
            try (RawClient c = new RawClient(s.port())) {
                for (int i = 0; i < 50; i++) {
                    c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                }
                // the stats endpoint's view; --shared-epoll's threads publish no live counters at all
                // (SharedEpollLoop.liveCounters: their final counters only), so it has none to show
                String live = s.server().liveStats().toJson();
                String carried = mode.equals("uring") ? "io_uring_enter" : "read";
                if (extra.length == 0) {
                    assertTrue(live.contains("\"syscall_latency_ns\": {") && live.contains("\"" + carried + "\": {\"ok\": {\"count\": "), live);
                }
            }
            Stats st = s.stop();
            SyscallCounters t = st.total();
            SyscallLatency lat = t.latency();
            for (Sys sys : Sys.ALL) {
                long timed = count(lat, sys, SyscallLatency.OK) + count(lat, sys, SyscallLatency.EAGAIN) + count(lat, sys, SyscallLatency.ERROR);
                assertEquals(t.calls(sys), timed, sys + ": every call timed once");
                assertEquals(t.eagain(sys), count(lat, sys, SyscallLatency.EAGAIN), sys + ": EAGAIN");
            }
            // the call that carries the requests: a read, or under io_uring the enter that reaps their CQEs
            Sys carrier = mode.equals("uring") ? Sys.IO_URING_ENTER : Sys.READ;
            assertTrue(count(lat, carrier, SyscallLatency.OK) >= (mode.equals("uring") ? 1 : 50), carrier + ": " + count(lat, carrier, SyscallLatency.OK));
            Histogram reads = lat.histogram(carrier, SyscallLatency.OK);
            assertTrue(reads.getValueAtPercentile(50) > 0 && reads.getValueAtPercentile(50) < 10_000_000, "a " + carrier + " takes between 1 ns and 10 ms: " + reads.getValueAtPercentile(50));
            assertTrue(st.table().contains("syscall latency"), st.table());
            assertTrue(st.toJson().contains("\"syscall_latency_ns\": {"), st.toJson());
        }
    }

    /** --mode uring: io_uring_enter, the one call that carries its requests, has a histogram holding every enter counted. */
    @Test
    void uringTimesEveryEnter() throws Exception {
        try (ServerHandle s = ServerHandle.start("uring", "--syscall-latency")) {
            try (RawClient c = new RawClient(s.port())) {
                for (int i = 0; i < 20; i++) {
                    c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                }
                String live = s.server().liveStats().toJson();
                assertTrue(live.contains("\"io_uring_enter\": {\"ok\": {\"count\": "), live);
            }
            Stats st = s.stop();
            SyscallLatency lat = st.total().latency();
            long enters = st.total().calls(Sys.IO_URING_ENTER);
            long timed = count(lat, Sys.IO_URING_ENTER, SyscallLatency.OK) + count(lat, Sys.IO_URING_ENTER, SyscallLatency.EAGAIN)
                    + count(lat, Sys.IO_URING_ENTER, SyscallLatency.ERROR);
            assertTrue(enters >= 20, "an enter per request at least: " + enters);
            assertEquals(enters, timed, "every io_uring_enter timed once");
            assertTrue(st.table().lines().anyMatch(l -> l.trim().startsWith("io_uring_enter") && l.contains("ok")), st.table());
            assertTrue(st.toJson().contains("\"io_uring_enter\": {\"ok\": {\"count\": " + count(lat, Sys.IO_URING_ENTER, SyscallLatency.OK)), st.toJson());
        }
    }

    @Test
    void offByDefault() throws Exception {
        try (ServerHandle s = ServerHandle.start("et")) {
            Stats st = s.stop();
            assertNull(st.total().latency());
            assertTrue(!st.table().contains("syscall latency") && !st.toJson().contains("syscall_latency_ns"));
        }
    }
}
