package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.UringSupport;
import edgepoll.stats.UringOp;
import edgepoll.sys.Errno;
import edgepoll.sys.uring.Probe;
import edgepoll.sys.uring.Ring;
import edgepoll.uring.UringLoop;
import edgepoll.uring.UringProbe;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The startup probe of --mode uring (docs/io_uring.md, "Where io_uring is refused"): on this kernel
 * every op the loop submits is supported and the check passes; the refusal for a kernel that lacks
 * one has the documented one-line shape.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UringProbeTest {
    @Test
    void everyOpTheLoopSubmitsIsSupportedHere() throws Exception {
        UringSupport.assumeAvailable();
        UringLoop.checkAvailable();  // the Server's check: ring, probe, EXT_ARG, a provided-buffer ring
        try (Ring ring = Ring.open(8, 0, 0)) {
            assertEquals(List.of(), UringProbe.missing(ring), "ops and features missing on this kernel");
            Probe p = Probe.of(ring);
            for (UringOp op : UringOp.ALL) {
                assertTrue(p.supports(UringProbe.opcode(op)), UringProbe.name(op) + " supported");
            }
        }
    }

    @Test
    void theRefusalIsOneLineNamingTheMissingOps() {
        assertEquals("IORING_OP_ASYNC_CANCEL", UringProbe.name(UringOp.CANCEL));
        assertEquals("IORING_OP_POLL_ADD", UringProbe.name(UringOp.POLL));
        var e = UringProbe.refusal(List.of(UringProbe.name(UringOp.SHUTDOWN)));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        // Main prints "edgepoll: " + the message and exits 1, as for a seccomp refusal.
        assertEquals("--mode uring: io_uring lacks IORING_OP_SHUTDOWN here (IORING_REGISTER_PROBE): Operation not supported (EOPNOTSUPP)",
                e.getMessage());
        assertEquals("--mode uring: io_uring lacks IORING_OP_RECV, IORING_FEAT_EXT_ARG here (IORING_REGISTER_PROBE): Operation not supported (EOPNOTSUPP)",
                UringProbe.refusal(List.of("IORING_OP_RECV", "IORING_FEAT_EXT_ARG")).getMessage());
    }
}
