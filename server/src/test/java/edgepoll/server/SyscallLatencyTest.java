package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.SyscallLatency;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --syscall-latency: one histogram per call and outcome, holding every counted call, in all three reports. */
@Timeout(60)
class SyscallLatencyTest {

    private static long count(SyscallLatency lat, Sys s, int outcome) {
        Histogram h = lat.histogram(s, outcome);
        return h == null ? 0 : h.getTotalCount();
    }

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt"})
    void everyCountedCallIsTimedUnderItsOutcome(String mode) throws Exception {
        try (ServerHandle s = ServerHandle.start(mode, "--syscall-latency")) {
            try (RawClient c = new RawClient(s.port())) {
                for (int i = 0; i < 50; i++) {
                    c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                }
                String live = s.server().liveStats().toJson();
                assertTrue(live.contains("\"syscall_latency_ns\": {") && live.contains("\"read\": {\"ok\": {\"count\": "), live);
            }
            Stats st = s.stop();
            SyscallCounters t = st.total();
            SyscallLatency lat = t.latency();
            for (Sys sys : Sys.ALL) {
                long timed = count(lat, sys, SyscallLatency.OK) + count(lat, sys, SyscallLatency.EAGAIN) + count(lat, sys, SyscallLatency.ERROR);
                assertEquals(t.calls(sys), timed, sys + ": every call timed once");
                assertEquals(t.eagain(sys), count(lat, sys, SyscallLatency.EAGAIN), sys + ": EAGAIN");
            }
            assertTrue(count(lat, Sys.READ, SyscallLatency.OK) >= 50);
            Histogram reads = lat.histogram(Sys.READ, SyscallLatency.OK);
            assertTrue(reads.getValueAtPercentile(50) > 0 && reads.getValueAtPercentile(50) < 10_000_000, "a read takes between 1 ns and 10 ms: " + reads.getValueAtPercentile(50));
            assertTrue(st.table().contains("syscall latency"), st.table());
            assertTrue(st.toJson().contains("\"syscall_latency_ns\": {\"epoll_create1\": {\"ok\": {\"count\": 1"), st.toJson());
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
