package edgepoll.transport;

import edgepoll.config.Options;
import edgepoll.worker.Worker;

/**
 * A loop's connection timers, one rule for every loop that keeps timers: the idle list
 * (--idle-timeout), the header list (--header-timeout, slowloris) and the linger list (a
 * half-closed connection waits {@link Worker#LINGER_MS} for the peer's FIN); which list a
 * connection is on, what expires when, and how long the loop may wait. Owned by the loop thread.
 *
 * <p>--shared-epoll keeps none: its threads share connections and a list is one thread's (see
 * {@code SharedEpollTransfer}); its transport has no Deadlines and so never lingers.
 */
public final class Deadlines {
    /** Marks an expired connection closed, saying why (null: linger over, derived from its state). */
    public interface Closer {
        void closeExpired(Conn c, String reason);
    }

    /** Idle timeout (--idle-timeout), or null. */
    private final TimerList idle;
    /** HTTP: connections waiting for a request head to complete (--header-timeout), or null. */
    private final TimerList header;
    /** Lingering close: connections that sent their FIN and wait for the peer's. */
    private final TimerList linger = new TimerList(Worker.LINGER_MS);

    public Deadlines(Options options) {
        this.idle = options.idleTimeoutMs() > 0 ? new TimerList(options.idleTimeoutMs()) : null;
        this.header = options.http() && options.headerTimeoutMs() > 0 ? new TimerList(options.headerTimeoutMs()) : null;
    }

    /**
     * Puts an open connection on the timer list its state calls for. Part of a request head buffered
     * (or held, not yet copied in) → the header list, armed once when the head begins and not
     * re-armed by further bytes (a slowloris client sending one byte at a time still hits it).
     * Otherwise → the idle list, re-armed on every step of progress; without --idle-timeout, a
     * connection that has completed no exchange yet goes on the header list too (nginx's
     * client_header_timeout). A reply being sent (queued, or a send in flight) is progress, never a
     * head. O(1).
     */
    public void rearm(Conn c, long nowMs) {
        if (c.state != Conn.OPEN) return;
        boolean quiet = !c.outputPending() && !c.sendInFlight;
        if (header != null && quiet && (c.buffered() > 0 || c.holdsInput())) {
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
    public void linger(Conn c, long nowMs) {
        linger.arm(c, nowMs);
    }

    /** Takes {@code c} off whatever list it is on. */
    public void remove(Conn c) {
        if (c.timerList != null) c.timerList.remove(c);
    }

    /** Hands every connection whose deadline has passed to {@code closer} (which takes it off its list). */
    public void expire(long nowMs, Closer closer) {
        for (Conn c; (c = linger.expired(nowMs)) != null; ) closer.closeExpired(c, null);
        if (idle != null) {
            for (Conn c; (c = idle.expired(nowMs)) != null; ) closer.closeExpired(c, "idle-timeout");
        }
        if (header != null) {
            for (Conn c; (c = header.expired(nowMs)) != null; ) closer.closeExpired(c, "header-timeout");
        }
    }

    /** Milliseconds until the earliest timer, or -1 when none is armed. */
    public long untilNext(long nowMs) {
        long t = linger.untilNext(nowMs);
        if (idle != null) t = earlier(t, idle.untilNext(nowMs));
        if (header != null) t = earlier(t, header.untilNext(nowMs));
        return t;
    }

    /** The earlier of two waits in milliseconds, where -1 is none. */
    public static long earlier(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }
}
