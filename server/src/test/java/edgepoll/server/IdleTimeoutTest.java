package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Pace;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** --idle-timeout closes connections that stay silent, and only those. */
class IdleTimeoutTest {

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void idleConnectionsAreClosedActiveOnesAreNot(String variant) throws Exception {
        // 1 s of idle timeout: a shorter one can pass between a client's connect and its first
        // request when the test thread is descheduled that long on a loaded machine.
        try (ServerHandle s = ServerHandle.start(variant, "--idle-timeout", "1s");
             RawClient idle = new RawClient(s.port(), 6_000);
             RawClient silent = new RawClient(s.port(), 6_000);
             RawClient busy = new RawClient(s.port(), 6_000)) {
            idle.send("GET / HTTP/1.1\r\n\r\n");
            assertEquals(200, idle.readResponse(false).status());
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) {  // 3 s of requests every 250 ms: never idle for 1 s
                busy.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, busy.readResponse(false).status(), "busy connection, request " + i);
                // Scenario timing: the busy client's pace (a request every 250 ms, under the 1 s
                // timeout) is what the test is about; no condition stands for it.
                Pace.hold(250, "the busy client's request period, shorter than the idle timeout");
            }
            assertTrue(idle.closedByServer(), "idle keep-alive connection closed");
            assertTrue(silent.closedByServer(), "connection that never sent a byte closed");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 6_000, "closed within the client's timeout: " + ms + " ms");
        }
    }
}
