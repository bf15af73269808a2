package edgepoll.transport;

import edgepoll.proto.Protocol;

/**
 * A loop's clock, read once per wake-up or turn (not per request): milliseconds of System.nanoTime
 * for the timers, and the protocol's Date, refreshed once a wall-clock second. Owned by the loop
 * thread (one per --shared-epoll thread: each has its own protocol and Date).
 */
public final class LoopClock {
    public long nowMs;
    private long second;

    /** Reads the time only (before the protocol exists). */
    public void tick() {
        nowMs = System.nanoTime() / 1_000_000;
    }

    /** Reads the time, and gives {@code protocol} the wall-clock second when it changed. */
    public void tick(Protocol protocol) {
        tick();
        long s = System.currentTimeMillis() / 1000;
        if (s != second) {
            second = s;
            protocol.tick(s);
        }
    }
}
