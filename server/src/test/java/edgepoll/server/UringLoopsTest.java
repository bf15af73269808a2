package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.UringOp;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * --mode uring --loops 2: each loop has its own thread, ring and SO_REUSEPORT listener, and both
 * serve (the kernel spreads connections over the listeners by hash: with 300 connections the
 * chance that one listener gets none is 2^-299). The leak check at stop sees the fds back at baseline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringLoopsTest {
    @Test
    void twoLoopsEachWithItsOwnRingBothServe() throws Exception {
        int connections = 300;
        AtomicInteger served = new AtomicInteger();
        Stats stats;
        try (ServerHandle s = ServerHandle.start("uring", "--loops", "2")) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", s.port());
            AtomicInteger next = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                ts.add(Thread.ofPlatform().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        if (RawClient.servedOnce(addr)) served.incrementAndGet();
                    }
                }));
            }
            for (Thread t : ts) t.join(30_000);
            stats = s.stop();  // leak check: every fd the two loops opened (rings, listeners, connections) is closed
        }
        assertEquals(connections, served.get(), "served");
        assertEquals(2, stats.loops().size(), "loops");
        assertNotEquals(stats.loops().get(0).tid(), stats.loops().get(1).tid(), "one thread per loop");
        long accepted = 0;
        for (Stats.Loop l : stats.loops()) {
            var c = l.counters();
            System.out.printf("uring loop %d: accepted %d, requests %d, io_uring_enter %d, io_uring_setup %d%n",
                    l.index(), c.accepted(), c.requests(), c.calls(Sys.IO_URING_ENTER), c.calls(Sys.IO_URING_SETUP));
            assertTrue(c.accepted() > 0, "loop " + l.index() + " accepted connections");
            assertEquals(c.accepted(), c.requests(), "loop " + l.index() + " served one request per connection");
            assertTrue(c.calls(Sys.IO_URING_SETUP) >= 1, "loop " + l.index() + " set up its own ring");
            assertTrue(c.cqes(UringOp.ACCEPT) >= c.accepted(), "loop " + l.index() + " accepted through its ring");
            assertEquals(c.accepted(), c.closed(), "loop " + l.index() + " closed what it accepted");
            // the loop thread's CPU, as every epoll loop records it (it was 0 under uring: issue 25)
            assertTrue(c.cpuNanos() > 0, "loop " + l.index() + " recorded its CPU time (cpu_ms)");
            accepted += c.accepted();
        }
        assertEquals(connections, accepted);
        String text = stats.toJson();  // what --stats-json writes
        assertTrue(text.indexOf("\"io_uring\"") != text.lastIndexOf("\"io_uring\""), "--stats-json has each loop's io_uring counters");
    }
}
