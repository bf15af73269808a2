package edgepoll.sys.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.sys.testkit.FdCount;
import edgepoll.sys.uring.Rings.Completion;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real ring on the running kernel: set-up, teardown, NOP round trips, the flag fallback, allocation. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingTest {
    private static final int MODERN = Ring.SETUP_SINGLE_ISSUER | Ring.SETUP_DEFER_TASKRUN;

    @Test
    void setupMapsTheRingsAndCloseLeavesNoFdBehind() throws Exception {
        int before = FdCount.now();
        Ring ring = Rings.openOrSkip(8, MODERN);
        try {
            assertTrue(ring.fd() >= 0);
            assertEquals("anon_inode:[io_uring]", Files.readSymbolicLink(Path.of("/proc/self/fd/" + ring.fd())).toString());
            assertEquals(8, ring.sqEntries());
            assertTrue(ring.cqEntries() >= 16, "cq entries " + ring.cqEntries());
            System.out.println("io_uring: setup flags 0x" + Integer.toHexString(ring.setupFlags())
                    + ", features 0x" + Integer.toHexString(ring.features()));
            assertEquals(FdCount.now(), before + 1);
        } finally {
            ring.close();
        }
        assertEquals(before, FdCount.now(), "ring fd leaked: " + FdCount.describe());
        ring.close();  // idempotent
        // The mappings' segments die with the ring: a kept reference fails instead of touching unmapped memory.
        assertThrows(IllegalStateException.class, () -> ring.sqes().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> ring.submitAndWait(0));
    }

    @Test
    void nopRoundTripCarriesUserDataAndWrapsTheRings() throws Exception {
        try (Ring ring = Rings.openOrSkip(8, MODERN)) {
            long at = ring.nextSqe();
            Prep.nop(ring.sqes(), at, 42L);
            assertEquals(1, ring.submitAndWait(1, TimeUnit.SECONDS.toNanos(5)));
            assertEquals(1, ring.cqReady());
            List<Completion> c = Rings.await(ring, 1, 5000);
            assertEquals(List.of(new Completion(42L, 0, 0)), c);
            assertEquals(0, ring.cqReady());
            // Five full submission queues: the tail passes the ring size and wraps; nextSqe says when full.
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < ring.sqEntries(); i++) {
                    long s = ring.nextSqe();
                    assertTrue(s >= 0, "SQ full early at " + i);
                    Prep.nop(ring.sqes(), s, 1000L * round + i);
                }
                assertEquals(-1, ring.nextSqe(), "a full SQ hands out no SQE");
                assertEquals(ring.sqEntries(), ring.sqPending());
                List<Completion> all = Rings.await(ring, ring.sqEntries(), 5000);
                assertEquals(ring.sqEntries(), all.size());
                for (int i = 0; i < all.size(); i++) {
                    assertEquals(1000L * round + i, all.get(i).userData());
                    assertEquals(0, all.get(i).res());
                }
                assertEquals(0, ring.sqPending());
            }
        }
    }

    @Test
    void plainRingWithoutOptionalFlagsWorksToo() throws Exception {
        try (Ring ring = Rings.openOrSkip(4, 0)) {
            assertEquals(0, ring.setupFlags());
            Prep.nop(ring.sqes(), ring.nextSqe(), 7L);
            assertEquals(List.of(new Completion(7L, 0, 0)), Rings.await(ring, 1, 5000));
            assertEquals(0, ring.submitAndWait(0), "nothing queued, nothing to wait for: no syscall, 0");
        }
    }

    @Test
    void sqpollRefusesDeferTaskrunAndTheRingFallsBackToWhatTheKernelTakes() throws Exception {
        // The kernel answers EINVAL to SQPOLL with DEFER_TASKRUN (the SQ thread, not the task, runs
        // task work): Ring drops the optional flag and keeps SQPOLL and SINGLE_ISSUER.
        try (Ring ring = Rings.openOrSkip(8, Ring.SETUP_SQPOLL | MODERN)) {
            assertEquals(Ring.SETUP_SQPOLL | Ring.SETUP_SINGLE_ISSUER, ring.setupFlags());
            for (int i = 0; i < 3; i++) {
                Prep.nop(ring.sqes(), ring.nextSqe(), 100L + i);
            }
            List<Completion> c = Rings.await(ring, 3, 5000);
            assertEquals(List.of(new Completion(100L, 0, 0), new Completion(101L, 0, 0), new Completion(102L, 0, 0)), c);
        }
    }

    private long sum;

    @Test
    void nopSubmitAndReapAllocateNothing() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (Ring ring = Rings.openOrSkip(8, MODERN)) {
            Ring.CompletionHandler handler = (ud, res, flags) -> sum += ud + res;
            // Windows of 10,000 rounds until one allocates nothing: before C2 has compiled the path
            // (late on a loaded machine) the interpreter and C1 allocate; the steady state must not.
            long allocated = -1;
            int window = 0;
            while (window++ < 40) {
                long before = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 10_000; i++) {
                    Prep.nop(ring.sqes(), ring.nextSqe(), 1L);
                    ring.submitAndWait(1);
                    ring.forEachCompletion(handler);
                }
                allocated = threads.getThreadAllocatedBytes(tid) - before;
                if (allocated < 1024) break;
            }
            assertEquals(10_000L * Math.min(window, 40), sum);
            System.out.println("bytes allocated by 10,000 NOP submit+wait+reap rounds: " + allocated
                    + " (window " + Math.min(window, 40) + " of 40)");
            assertTrue(allocated < 1024, "NOP round trips still allocate after 400,000 rounds: "
                    + allocated + " bytes per 10,000");
        }
    }
}
