package edgepoll.uring;

import java.util.function.BooleanSupplier;

/**
 * The wake eventfd in the ring: one multishot POLL_ADD, which io_uring makes edge-triggered (a CQE
 * for each write to the eventfd, however high its counter already is; IORING_POLL_ADD_LEVEL would
 * ask for level), so the eventfd is never read, as the epoll loops register it EPOLLIN|EPOLLET and
 * never read it. No syscall per wake-up (a stop request, a live-stats request), hence no capturing
 * downcall on a path too rare for C2 to compile. Re-armed only if the kernel ended the multishot
 * (a CQE without F_MORE, e.g. after a CQ overflow) and the loop is not stopping; a poll still armed
 * at the end goes with the ring. Owned by the loop thread; the eventfd is the Server's.
 */
final class WakePoll {
    private final Submissions sq;
    private final int wakeFd;
    private final BooleanSupplier stopRequested;

    WakePoll(Submissions sq, int wakeFd, BooleanSupplier stopRequested) {
        this.sq = sq;
        this.wakeFd = wakeFd;
        this.stopRequested = stopRequested;
    }

    void arm() {
        sq.pollWake(wakeFd);
    }

    void onCompletion(boolean more) {
        if (!more && !stopRequested.getAsBoolean()) arm();
    }
}
