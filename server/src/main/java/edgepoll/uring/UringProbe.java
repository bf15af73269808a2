package edgepoll.uring;

import edgepoll.stats.UringOp;
import edgepoll.sys.Errno;
import edgepoll.sys.SyscallException;
import edgepoll.sys.uring.BufferRing;
import edgepoll.sys.uring.Prep;
import edgepoll.sys.uring.Probe;
import edgepoll.sys.uring.Ring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The startup check of {@code --mode uring}, made once by the Server before any fd is opened: a
 * small ring is set up (refused by seccomp, {@code kernel.io_uring_disabled} or a kernel without
 * io_uring: EPERM, EACCES, ENOSYS), asked which opcodes it supports
 * ({@code IORING_REGISTER_PROBE}: every {@link UringOp} the loop submits), whether it has
 * {@code IORING_FEAT_EXT_ARG} (the turn's timed wait) and {@code IORING_FEAT_NODROP} (a CQ
 * overflow kept, not dropped), and given a one-buffer provided-buffer ring
 * ({@code IORING_REGISTER_PBUF_RING}). Whatever fails becomes one line (the Server's caller prints
 * it after {@code edgepoll: } and exits 1):
 *
 * <pre>
 * --mode uring: io_uring is refused here (io_uring_setup): Operation not permitted (EPERM)
 * --mode uring: io_uring lacks IORING_OP_SHUTDOWN here (IORING_REGISTER_PROBE): Operation not supported (EOPNOTSUPP)
 * </pre>
 *
 * <p>Not checked, because no probe reports them: the multishot forms of accept (5.19) and recv
 * (6.0); a 5.19 kernel passes this check and fails at the first recv.
 */
public final class UringProbe {
    private UringProbe() {}

    /** Throws the one-line refusal when this process cannot run {@code --mode uring}. */
    static void check() throws SyscallException {
        Ring ring;
        try {
            ring = Ring.open(8, 0, 0);
        } catch (SyscallException e) {
            throw new SyscallException("--mode uring: io_uring is refused here (io_uring_setup)", e.errno());
        }
        try (ring) {
            List<String> missing = missing(ring);
            if (!missing.isEmpty()) throw refusal(missing);
            try (BufferRing b = BufferRing.register(ring, Submissions.BUFFER_GROUP, 1, 64)) {
                // registered and unregistered: provided-buffer rings work here
            } catch (SyscallException e) {
                throw new SyscallException("--mode uring: io_uring lacks IORING_REGISTER_PBUF_RING here (io_uring_register)", e.errno());
            }
        }
    }

    /** The opcodes and features the mode needs that {@code ring}'s kernel lacks, by their uapi names; empty when none. */
    public static List<String> missing(Ring ring) {
        List<String> missing = new ArrayList<>();
        if ((ring.features() & Ring.FEAT_EXT_ARG) == 0) missing.add("IORING_FEAT_EXT_ARG");
        // the loop reaps a CQ that can overflow under a burst (more completions in one turn than
        // CQ entries); without NODROP (5.5) the kernel would drop them, and a dropped recv or
        // accept completion is a connection left hanging: refused rather than risked
        if ((ring.features() & Ring.FEAT_NODROP) == 0) missing.add("IORING_FEAT_NODROP");
        Probe probe;
        try {
            probe = Probe.of(ring);
        } catch (SyscallException e) {
            missing.add("IORING_REGISTER_PROBE");  // before 5.6: older than every opcode the mode uses
            return missing;
        }
        for (UringOp op : UringOp.ALL) {
            if (!probe.supports(opcode(op))) missing.add(name(op));
        }
        return missing;
    }

    /** The refusal for what {@link #missing} found: one line, the same shape as a seccomp refusal. */
    public static SyscallException refusal(List<String> missing) {
        return new SyscallException("--mode uring: io_uring lacks " + String.join(", ", missing)
                + " here (IORING_REGISTER_PROBE)", Errno.EOPNOTSUPP);
    }

    /** The opcode each counted op is submitted with (a new UringOp must be added here: the switch is exhaustive). */
    public static int opcode(UringOp op) {
        return switch (op) {
            case ACCEPT -> Prep.OP_ACCEPT;
            case RECV -> Prep.OP_RECV;
            case SEND -> Prep.OP_SEND;
            case CLOSE -> Prep.OP_CLOSE;
            case CANCEL -> Prep.OP_ASYNC_CANCEL;
            case POLL -> Prep.OP_POLL_ADD;
            case SHUTDOWN -> Prep.OP_SHUTDOWN;
        };
    }

    /** {@code IORING_OP_} and the op's name in upper case, as in {@code <linux/io_uring.h>}. */
    public static String name(UringOp op) {
        return "IORING_OP_" + op.opName.toUpperCase(Locale.ROOT);
    }
}
