package edgepoll.uring;

import edgepoll.stats.UringOp;

/**
 * The 64-bit user_data of every SQE the uring loop submits, returned in its CQE:
 * {@code op << 56 | generation << 32 | slot}. The slot names the connection (or {@link #LOOP} for
 * the listener and the wake-up poll), the generation the connection that held the slot when the
 * request was made, the op which {@link UringOp} completed. The same idea as the epoll token
 * (fd | generation), but by slot: an fd number may be reused before every request for its old
 * connection has completed; a slot is not.
 */
final class UserData {
    private UserData() {}

    static final int GEN_MASK = 0xFF_FFFF;
    static final int LOOP = -1;

    static long of(UringOp op, int slot, int generation) {
        return ((long) op.ordinal() << 56) | ((long) (generation & GEN_MASK) << 32) | (slot & 0xFFFF_FFFFL);
    }

    static UringOp op(long ud) {
        return UringOp.ALL[(int) (ud >>> 56)];
    }

    static int slot(long ud) {
        return (int) ud;
    }

    static int generation(long ud) {
        return (int) (ud >>> 32) & GEN_MASK;
    }
}
