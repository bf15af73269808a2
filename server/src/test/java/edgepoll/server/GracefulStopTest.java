package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A graceful stop with a slow reader: the loop keeps the connection for the 1 s drain while its
 * reply cannot be sent, and must sleep meanwhile. The wake eventfd that carried the stop request
 * used to be level-triggered and never read, so every wait after it returned at once and the loop
 * spun for the whole drain. Counted (waits made during the drain) and timed (the loop thread's CPU
 * from /proc); busy-poll spins by design and is not asked.
 *
 * <p>A client also connects during the drain and stays in the accept queue (a stopping loop accepts
 * nothing): a level-triggered listener left registered reported it to every 10 ms wait at once,
 * about 200,000 waits in the drain's second under lt and poll (issue 24).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GracefulStopTest {

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "et-short-read", "poll", "uring"})
    void aStoppingLoopSleepsWhileASlowReaderHoldsItsDrain(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--response-size", Integer.toString(32 << 20))) {
            RawClient slow = new RawClient(s.port(), 10_000);
            slow.send("GET / HTTP/1.1\r\n\r\n");  // 32 MiB reply, never read: the send meets EAGAIN
            int tid = s.server().loopThreadIds()[0];
            SyscallCounters before = variant.equals("uring") ? awaitSendInFlight(s) : awaitBlockedSend(s);
            // An idle client: the stopping loop closes it at once, which shows the stop was seen.
            java.net.Socket idle = new java.net.Socket("127.0.0.1", s.port());
            Await.until(10_000, "the loop to accept the idle client", () -> s.server().liveStats().total().accepted() == 2 ? true : null);
            long cpuBefore = cpuTicks(tid);
            // The loop thread's CPU, sampled until the thread ends (its /proc entry goes with it).
            AtomicLong lastCpu = new AtomicLong(cpuBefore);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        lastCpu.set(cpuTicks(tid));
                        LockSupport.parkNanos(20_000_000);
                    }
                } catch (Exception gone) {
                    // the loop thread ended
                }
            });
            long t0 = System.nanoTime();
            // The slow reader is still connected: the loop drains for 1 s.
            java.util.concurrent.FutureTask<Stats> stop = new java.util.concurrent.FutureTask<>(() -> s.server().stop());
            Thread.ofPlatform().daemon().start(stop);
            // The drain lasts 1 s from the stop: wait on the socket itself, not on /proc/net/tcp (slow
            // to read on a machine with many TIME_WAITs), so the late client comes well within it.
            idle.setSoTimeout(10_000);
            assertEquals(-1, idle.getInputStream().read(), "the stopping loop closed the idle client");
            // A client that connects now stays in the accept queue: the loop accepts nothing more.
            java.net.Socket late = new java.net.Socket("127.0.0.1", s.port());
            Stats after = stop.get(20, TimeUnit.SECONDS);
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            late.close();
            idle.close();
            sampler.join(5_000);
            slow.close();
            long cpuMs = (lastCpu.get() - cpuBefore) * 10;  // USER_HZ is 100 on Linux
            Sys wait = variant.equals("poll") ? Sys.POLL : variant.equals("uring") ? Sys.IO_URING_ENTER : Sys.EPOLL_WAIT;
            long waits = after.total().calls(wait) - before.calls(wait);
            System.out.printf("%s: stop took %d ms with a slow reader; %d %s calls and %d ms of loop CPU during it%n",
                    variant, wallMs, waits, wait.straceName, cpuMs);
            assertTrue(wallMs >= 900, "the drain waited for the slow reader: " + wallMs + " ms");
            assertTrue(waits < 400, "the loop slept through the drain (10 ms waits), it did not spin: " + waits + " waits");
            assertTrue(cpuMs < wallMs / 2, "loop CPU during the drain " + cpuMs + " ms of " + wallMs + " ms");
            assertEquals(2, after.total().closed(), "the slow reader and the idle client; not the late one");
            s.stop();  // the leak check, now that the client is gone
        }
    }

    /** Live counters once the loop's send met EAGAIN (the reply is stuck). */
    private static SyscallCounters awaitBlockedSend(ServerHandle s) throws Exception {
        return Await.until(20_000, "the server's send to meet EAGAIN", () -> {
            SyscallCounters c = s.server().liveStats().total();
            return c.eagain(Sys.SEND) > 0 ? c : null;
        });
    }

    /** uring: live counters once a ring send was submitted and has not completed (the reply is stuck in the kernel). */
    private static SyscallCounters awaitSendInFlight(ServerHandle s) throws Exception {
        return Await.until(20_000, "a ring send to stay in flight", () -> {
            SyscallCounters c = s.server().liveStats().total();
            return c.sqes(edgepoll.stats.UringOp.SEND) > c.cqes(edgepoll.stats.UringOp.SEND) ? c : null;
        });
    }

    /** utime + stime of one thread of this process, in clock ticks. */
    private static long cpuTicks(int tid) throws Exception {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
