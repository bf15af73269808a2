package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.SyscallCounters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * --loops N with each --listener strategy (docs/many-loops.md): every connection of a concurrent
 * storm is served whichever loop wins it, a loop woken for a connection another took gets EAGAIN
 * and waits again, the counters add up, the shared listener is closed exactly once (the leak check
 * at stop). The quick form of scripts/herd-experiment is the lab's HerdExperimentTest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManyLoopsTest {

    @ParameterizedTest
    @CsvSource({"et,reuseport", "et,shared", "et,exclusive", "lt,reuseport", "lt,shared", "lt,exclusive"})
    void everyConnectionOfAConcurrentStormIsServed(String mode, String listener) throws Exception {
        int connections = 400;
        AtomicInteger served = new AtomicInteger();
        Stats stats;
        try (ServerHandle s = ServerHandle.start(mode, "--loops", "3", "--listener", listener)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", s.port());
            AtomicInteger next = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                ts.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        if (RawClient.servedOnce(addr)) served.incrementAndGet();
                    }
                }));
            }
            for (Thread t : ts) t.join(30_000);
            stats = s.stop();
        }
        assertEquals(connections, served.get(), "served");
        SyscallCounters t = stats.total();
        assertEquals(connections, t.accepted());
        assertEquals(connections, t.requests());
        assertTrue(t.listenerEvents() > 0);
        assertTrue(t.emptyAcceptWakeups() <= t.listenerEvents());
        long sum = 0;
        for (Stats.Loop l : stats.loops()) sum += l.counters().accepted();
        assertEquals(connections, sum);
        assertTrue(stats.toJson().contains("\"balance\": {\"listener\": \"" + listener + "\""), "balance in the JSON");
        assertTrue(stats.table().contains("balance (--listener " + listener + ")"), stats.table());
    }

    /**
     * epoll_ctl(MOD) refuses an EPOLLEXCLUSIVE registration, so a paused LT loop takes the listener
     * out with DEL and puts it back with ADD: a connection made during the pause is served after it.
     */
    @ParameterizedTest
    @CsvSource({"lt,exclusive", "lt,shared", "et,exclusive"})
    void aPausedListenerResumes(String mode, String listener) throws Exception {
        Stats stats;
        // t0 before the start: each loop's pause begins when it starts, and on a loaded machine the
        // last loop may start tens of ms after the first, so a clock started once start() returned
        // saw the first loop's pause end early (et,exclusive answered 250 ms "too soon").
        long t0 = System.nanoTime();
        try (ServerHandle s = ServerHandle.start(mode, "--loops", "2", "--listener", listener, "--accept-pause", "300ms")) {
            assertTrue(RawClient.servedOnce(new InetSocketAddress("127.0.0.1", s.port())), "served after the pause");
            assertTrue(System.nanoTime() - t0 >= 300_000_000L, "answered only after the pause");
            stats = s.stop();
        }
        SyscallCounters t = stats.total();
        assertEquals(0, t.errors(edgepoll.stats.Sys.EPOLL_CTL_MOD), "no refused MOD");
        assertEquals(0, t.errors(edgepoll.stats.Sys.EPOLL_CTL_ADD), "no refused ADD");
        if (mode.equals("lt") && listener.equals("exclusive")) {
            // and one at the stop unless that loop is still paused then: a stopping LT loop takes its
            // listener out (GracefulStopTest); the loop that served the client was not paused
            long del = t.calls(edgepoll.stats.Sys.EPOLL_CTL_DEL);
            assertTrue(del >= 3 && del <= 4, "each loop's pause: one DEL, and one at its stop if not paused: " + del);
            assertEquals(0, t.errors(edgepoll.stats.Sys.EPOLL_CTL_DEL), "no refused DEL");
        }
    }

    @Test
    void sharedListenerNeedsEpollLoops() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> edgepoll.config.Options.parse(new String[] {"--mode", "poll", "--listener", "shared"}));
        assertTrue(e.getMessage().contains("et and lt only"), e.getMessage());
    }
}
