package edgepoll.uring;

import edgepoll.stats.LoopSyscalls;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * The wake eventfd in the ring: a one-shot POLL_ADD, re-armed after each wake-up (a stop request,
 * a live-stats request) unless the loop is stopping; the eventfd is read (counted) to reset it.
 * Owned by the loop thread; the eventfd is the Server's.
 */
final class WakePoll {
    private final LoopSyscalls sys;
    private final Submissions sq;
    private final int wakeFd;
    private final MemorySegment counter;
    private final BooleanSupplier stopRequested;

    WakePoll(LoopSyscalls sys, Submissions sq, int wakeFd, MemorySegment counter, BooleanSupplier stopRequested) {
        this.sys = sys;
        this.sq = sq;
        this.wakeFd = wakeFd;
        this.counter = counter;
        this.stopRequested = stopRequested;
    }

    void arm() {
        sq.pollWake(wakeFd);
    }

    void onCompletion() {
        sys.readCounter(wakeFd, counter);
        if (!stopRequested.getAsBoolean()) arm();
    }
}
