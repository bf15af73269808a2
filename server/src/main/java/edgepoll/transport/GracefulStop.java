package edgepoll.transport;

/**
 * A loop's graceful stop, the same steps in every loop that drains (the epoll EventLoop, the uring
 * loop): when the stop is asked for, the listener stops being served ({@link #begin}, the caller's
 * part) and the loop runs one more batch or turn without waiting, so that a request the kernel
 * already holds is served rather than reset: closing a socket with received data unread sends RST
 * (TCPAbortOnClose), which is what clients of a stopping server saw for connections accepted just
 * before the stop (docs/many-loops.md, "Closing reuseport listeners"). On the next one every
 * connection with nothing in flight is closed ({@link #quietCloseDue}); the loop then keeps
 * running with short waits while replies drain, at most {@link #DRAIN_MS}. Owned by the loop thread.
 */
public final class GracefulStop {
    /** How long a stopping loop lets pending replies drain before it closes what is left. */
    public static final long DRAIN_MS = 1_000;

    /** Loop ms when the drain ends; -1: no stop begun. */
    private long deadline = -1;
    private boolean quietClosePending;

    /** Whether the stop has begun. */
    public boolean begun() {
        return deadline >= 0;
    }

    /** Begins the stop at {@code nowMs} (the caller stops accepting); the quiet close comes one batch later. */
    public void begin(long nowMs) {
        deadline = nowMs + DRAIN_MS;
        quietClosePending = true;
    }

    /** Whether the quiet close is still to come: the loop then waits with timeout 0. */
    public boolean quietClosePending() {
        return quietClosePending;
    }

    /** True once, on the batch after {@link #begin}: close every connection with nothing in flight now. */
    public boolean quietCloseDue() {
        boolean due = quietClosePending;
        quietClosePending = false;
        return due;
    }

    /** Whether the drain is over: no connection left open, or the deadline passed. */
    public boolean over(long nowMs, int open) {
        return open == 0 || nowMs >= deadline;
    }
}
