package edgepoll.loop;

/** The loop's clock, read once per wake-up (not per request): milliseconds of System.nanoTime. */
final class Clock {
    long nowMs;

    void tick() {
        nowMs = System.nanoTime() / 1_000_000;
    }
}
