package edgepoll.server;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.ServerHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Many connections at once, many keep-alive requests each; and several loops sharing a port. */
class ConcurrencyTest {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** {@code threads} client threads, each driving its share of {@code connections} round-robin. */
    static long drive(int port, int connections, int requestsEach, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = connections / threads + (t < connections % threads ? 1 : 0);
                results.add(pool.submit(() -> {
                    List<RawClient> cs = new ArrayList<>();
                    try {
                        for (int i = 0; i < share; i++) cs.add(new RawClient(port, 20_000));
                        long ok = 0;
                        for (int r = 0; r < requestsEach; r++) {
                            for (RawClient c : cs) c.send(REQUEST);
                            for (RawClient c : cs) {
                                RawClient.Response resp = c.readResponse(false);
                                if (resp.status() == 200 && resp.body().length == 13) ok++;
                            }
                        }
                        return ok;
                    } finally {
                        for (RawClient c : cs) c.close();
                    }
                }));
            }
            long ok = 0;
            for (Future<Long> f : results) ok += f.get(120, TimeUnit.SECONDS);
            return ok;
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void thousandConcurrentConnectionsDoHundredKeepAliveRequestsEach(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant)) {
            long ok = drive(s.port(), 1000, 100, 8);
            assertEquals(100_000, ok);
            Live.awaitClosed(s, 1000);  // the server saw the clients' FINs and closed every connection
            Stats st = s.stop();
            assertEquals(100_000, st.total().requests());
            assertEquals(1000, st.total().accepted());
            if (variant.startsWith("et")) {
                assertEquals(1000, st.total().calls(Sys.EPOLL_CTL_ADD) - 2, "ET: one epoll_ctl per connection (plus listener and eventfd)");
                assertEquals(0, st.total().calls(Sys.EPOLL_CTL_MOD), "ET never MODs");
            }
        }
    }

    @Test
    void twoLoopsBothServeConnections() throws Exception {
        try (ServerHandle s = ServerHandle.start("et", "--loops", "2")) {
            assertEquals(2, s.server().loopThreadIds().length);
            assertEquals(200 * 5, drive(s.port(), 200, 5, 4));
            Stats st = s.stop();
            for (Stats.Loop l : st.loops()) {
                assertTrue(l.counters().accepted() > 0, "loop " + l.index() + " accepted none of 200 connections");
                assertTrue(l.counters().requests() > 0, "loop " + l.index() + " served no request");
            }
            assertEquals(200, st.total().accepted());
        }
    }
}
