package edgepoll.uring;

import edgepoll.config.Options;
import edgepoll.worker.Worker;

/**
 * The uring loop's connection timers: the idle, header and linger lists ({@link UringTimers}),
 * which list a connection is on, and what expires when. The same rules as the epoll loops'
 * ConnectionTable.rearm. Owned by the loop thread.
 */
final class UringDeadlines {
    private final UringTimers idle, header;
    private final UringTimers linger = new UringTimers(Worker.LINGER_MS);

    UringDeadlines(Options options) {
        idle = options.idleTimeoutMs() > 0 ? new UringTimers(options.idleTimeoutMs()) : null;
        header = options.http() && options.headerTimeoutMs() > 0 ? new UringTimers(options.headerTimeoutMs()) : null;
    }

    /** The header list while a request head is incomplete, else idle (or, with no idle timeout, header until the first exchange). */
    void rearm(UringConnection c, long nowMs) {
        if (c.state != UringConnection.OPEN) return;
        boolean quiet = !c.outputPending() && !c.sendInFlight;
        if (header != null && quiet && (c.buffered() > 0 || c.pendCount > 0)) {
            if (c.timerList != header) header.arm(c, nowMs);
        } else if (idle != null) {
            idle.arm(c, nowMs);
        } else if (header != null && quiet && c.exchanges == 0) {
            if (c.timerList != header) header.arm(c, nowMs);
        } else if (c.timerList != null) {
            c.timerList.remove(c);
        }
    }

    /** Half-closed: the peer has {@link Worker#LINGER_MS} to send its FIN. */
    void linger(UringConnection c, long nowMs) {
        linger.arm(c, nowMs);
    }

    void remove(UringConnection c) {
        if (c.timerList != null) c.timerList.remove(c);
    }

    /** Closes every connection whose deadline has passed. */
    void expire(long nowMs, UringTransfer transfer) {
        for (UringConnection c; (c = linger.expired(nowMs)) != null; ) transfer.closeLater(c);
        if (idle != null) for (UringConnection c; (c = idle.expired(nowMs)) != null; ) transfer.closeLater(c);
        if (header != null) for (UringConnection c; (c = header.expired(nowMs)) != null; ) transfer.closeLater(c);
    }

    /** Milliseconds until the next deadline, or -1 when no timer is armed. */
    long untilNextMs(long nowMs) {
        long t = linger.untilNext(nowMs);
        if (idle != null) t = earlier(t, idle.untilNext(nowMs));
        if (header != null) t = earlier(t, header.untilNext(nowMs));
        return t;
    }

    static long earlier(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }
}
