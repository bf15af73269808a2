package edgepoll.uring;

import edgepoll.proto.Protocol;

/** The uring loop's clock, read once per turn (not per completion); refreshes the protocol's Date once a second. */
final class TurnClock {
    long nowMs;
    private long second;

    void tick(Protocol protocol) {
        nowMs = System.nanoTime() / 1_000_000;
        long s = System.currentTimeMillis() / 1000;
        if (s != second) {
            second = s;
            protocol.tick(s);
        }
    }
}
