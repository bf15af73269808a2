package edgepoll.sys.uring;

import edgepoll.sys.Errno;
import edgepoll.sys.SyscallException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Test helpers: open a ring or skip with the reason, and collect completions with a deadline. */
final class Rings {
    private Rings() {}

    /** One completion as the test saw it. */
    record Completion(long userData, int res, int flags) {
        boolean more() { return Cqe.hasMore(flags); }

        @Override
        public String toString() {
            return "cqe(ud=" + userData + ", res=" + (res < 0 ? Errno.name(res) : res)
                    + ", flags=0x" + Integer.toHexString(flags) + ")";
        }
    }

    /**
     * Opens a ring; when io_uring_setup is refused outright (EPERM/EACCES from seccomp or
     * kernel.io_uring_disabled, ENOSYS from a kernel without io_uring) the test is skipped with
     * that reason printed. Any other failure fails the test.
     */
    static Ring openOrSkip(int entries, int flags) throws SyscallException {
        try {
            return Ring.open(entries, flags, 1000);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES || e.errno() == Errno.ENOSYS) {
                String reason = "SKIPPED io_uring test: io_uring is not available here: " + e.getMessage();
                System.err.println(reason);
                Assumptions.abort(reason);
            }
            throw e;
        }
    }

    /**
     * Submits what is queued and collects completions until {@code n} arrived or {@code millis}
     * passed (then returns what it has: the caller's assertion says what was missing).
     */
    static List<Completion> await(Ring ring, int n, long millis) {
        List<Completion> got = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (got.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            int rc = ring.submitAndWait(1, left);
            if (rc < 0 && rc != -Errno.ETIME && rc != -Errno.EINTR) {
                throw new AssertionError("io_uring_enter: " + Errno.describe(rc));
            }
            ring.forEachCompletion((ud, res, flags) -> got.add(new Completion(ud, res, flags)));
        }
        return got;
    }
}
