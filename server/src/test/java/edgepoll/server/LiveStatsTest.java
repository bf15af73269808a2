package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.load.Load;
import edgepoll.load.LoadOptions;
import edgepoll.load.LoadResult;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What other threads see of a running loop: live stats are a copy the loop makes at the end of a
 * batch, so every snapshot is one batch boundary (a consistent past), never a mix of a request
 * counted and its reply not yet; and monitoring over keep-alive works for as long as it polls.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveStatsTest {

    /**
     * Under load, a reader takes snapshots as fast as it can. At every batch boundary of a strict-ET
     * loop serving small replies, each answered request's reply has been sent in one sendto (the pump
     * counts a request, then sends it, within one event), so successful sendtos equal requests; a copy
     * taken mid-batch sees them apart. Snapshots only grow, and the last is within the final totals.
     */
    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "poll"})
    void everySnapshotIsOneBatchBoundary(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant)) {
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<LoadResult> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return Load.run(LoadOptions.parse(new String[] {"--port", Integer.toString(s.port()), "--quiet",
                            "--connections", "16", "--duration", "2s", "--warmup", "0"}), null);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    done.set(true);
                }
            });
            SyscallCounters last = new SyscallCounters();
            int snapshots = 0;
            while (!done.get()) {
                SyscallCounters c = s.server().liveStats().total();
                snapshots++;
                long sends = c.calls(Sys.SEND) - c.eagain(Sys.SEND) - c.errors(Sys.SEND) - c.eintr(Sys.SEND);
                assertEquals(c.requests(), sends, "snapshot " + snapshots + ": requests counted vs replies sent");
                assertTrue(c.requests() >= last.requests() && c.calls(Sys.READ) >= last.calls(Sys.READ)
                        && c.totalCalls() >= last.totalCalls(), "snapshots only grow");
                last = c;
            }
            assertTrue(load.get(30, TimeUnit.SECONDS).requests() > 0);
            Stats fin = s.stop();
            System.out.printf("%s: %d live snapshots under load, the last at %d requests of %d%n",
                    variant, snapshots, last.requests(), fin.total().requests());
            assertTrue(snapshots > 10, "the reader got snapshots while the load ran: " + snapshots);
            assertTrue(last.requests() > 0 && last.requests() <= fin.total().requests());
            assertTrue(last.totalCalls() <= fin.total().totalCalls());
        }
    }

    /**
     * A monitoring client polling GET /_edgepoll/stats over one keep-alive connection keeps it for as
     * long as it polls. Stats requests are not counted as requests, and the connection used to stay
     * on the header-timeout list as one that had never completed a request: dropped after
     * --header-timeout although it polled all along. Here 1 s of header timeout, 5 s of polling.
     */
    @Test
    void aStatsPollerOverKeepAliveIsNotDroppedByTheHeaderTimeout() throws Exception {
        pollStats(5_000, "--header-timeout", "1s");
    }

    /** The same at the default header timeout (10 s), for 30 s: scripts/test --long. */
    @Test
    void aStatsPollerKeepsItsConnectionForThirtySeconds() throws Exception {
        if (!Boolean.getBoolean("edgepoll.long")) {
            System.err.println("SKIPPED LiveStatsTest.aStatsPollerKeepsItsConnectionForThirtySeconds: runs with scripts/test --long");
            org.junit.jupiter.api.Assumptions.abort("runs with scripts/test --long");
        }
        pollStats(30_000);
    }

    private static void pollStats(long ms, String... flags) throws Exception {
        try (ServerHandle s = ServerHandle.start("et", flags); RawClient c = new RawClient(s.port(), 5_000)) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            int polls = 0;
            while (System.nanoTime() < end) {
                c.send("GET /_edgepoll/stats HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(false).status(), "poll " + polls);
                polls++;
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));  // a poller's period, not a wait for a condition
            }
            c.close();
            Stats st = s.stop();
            assertEquals(1, st.total().accepted(), "one connection for all " + polls + " polls");
            assertEquals(0, st.total().requests(), "stats requests are not counted");
        }
    }
}
