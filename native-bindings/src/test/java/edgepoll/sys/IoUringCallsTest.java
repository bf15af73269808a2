package edgepoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.io_uring_params;
import edgepoll.sys.testkit.Pipes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** errno comes back through syscall(2)'s variadic downcalls and through mmap, for real failing calls. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IoUringCallsTest {

    private static void skipIfIoUringIsBlocked(int rc) {
        if (rc == -Errno.EPERM || rc == -Errno.EACCES || rc == -Errno.ENOSYS) {
            String reason = "SKIPPED IoUringCallsTest: io_uring syscalls are refused here: " + Errno.describe(rc);
            System.err.println(reason);
            Assumptions.abort(reason);
        }
    }

    @Test
    void setupWithZeroEntriesIsEinval() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            int rc = IoUringCalls.setup(cs, 0, arena.allocate(io_uring_params.layout()));
            skipIfIoUringIsBlocked(rc);
            assertEquals(-Errno.EINVAL, rc);
        }
    }

    @Test
    void enterOnABadFdIsEbadfAndOnAPipeIsEopnotsupp() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            int rc = IoUringCalls.enter(cs, 1 << 20, 0, 0, 0, 0, 0);
            skipIfIoUringIsBlocked(rc);
            assertEquals(-Errno.EBADF, rc);
            try (Pipes p = Pipes.open(arena, cs)) {
                assertEquals(-Errno.EOPNOTSUPP, IoUringCalls.enter(cs, p.readFd(), 0, 0, 0, 0, 0));
                assertEquals(-Errno.EOPNOTSUPP, IoUringCalls.register(cs, p.readFd(), LibC.IORING_REGISTER_PROBE(),
                        MemorySegment.NULL, 0));
            }
        }
    }

    @Test
    void mmapReturnsAnAddressOrMinusErrnoAndMunmapUndoesIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            int prot = LibC.PROT_READ() | LibC.PROT_WRITE();
            assertEquals(-Errno.EBADF, IoUringCalls.mmap(cs, 4096, prot, LibC.MAP_SHARED(), 1 << 20, 0));
            long a = IoUringCalls.mmap(cs, 4096, prot, LibC.MAP_PRIVATE() | LibC.MAP_ANONYMOUS(), -1, 0);
            assertTrue(a > 0 && a % 4096 == 0, "mmap: " + a);
            MemorySegment.ofAddress(a).reinterpret(4096).set(java.lang.foreign.ValueLayout.JAVA_INT, 4092, 7);
            assertEquals(0, IoUringCalls.munmap(cs, a, 4096));
            assertEquals(-Errno.EINVAL, IoUringCalls.munmap(cs, a + 1, 4096));
        }
    }
}
