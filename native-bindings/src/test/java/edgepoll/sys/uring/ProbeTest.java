package edgepoll.sys.uring;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.sys.gen.LibC;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** IORING_REGISTER_PROBE on a real ring: the opcodes this kernel has, as the kernel reports them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProbeTest {
    @Test
    void reportsTheOpcodesOfTheBoundHeadersOnThisKernel() throws Exception {
        try (Ring ring = Rings.openOrSkip(8, 0)) {
            Probe p = Probe.of(ring);
            // The bindings' headers are 6.1; the tests need 6.0 (multishot recv): every opcode they bind is there.
            for (byte op : new byte[] {Prep.OP_NOP, Prep.OP_ACCEPT, Prep.OP_RECV, Prep.OP_SEND, Prep.OP_CLOSE,
                    Prep.OP_TIMEOUT, Prep.OP_ASYNC_CANCEL, Prep.OP_POLL_ADD, Prep.OP_SHUTDOWN}) {
                assertTrue(p.supports(op), "opcode " + op + " supported");
            }
            assertTrue(p.lastOp() >= LibC.IORING_OP_LAST() - 1, "the kernel's last opcode " + p.lastOp() + " >= the headers' " + (LibC.IORING_OP_LAST() - 1));
            assertFalse(p.supports(255), "an opcode beyond IORING_OP_LAST is not reported supported");
            System.out.println("io_uring probe: last_op " + p.lastOp() + " (headers: " + (LibC.IORING_OP_LAST() - 1) + ")");
        }
    }
}
