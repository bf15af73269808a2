package edgepoll.transport;

/**
 * Connections ordered by deadline for one fixed timeout, as an intrusive doubly linked list: since
 * every member gets the same timeout, appending on activity keeps the list sorted, so arming,
 * re-arming and cancelling are O(1) and expiry only looks at the head. No timer objects, no scan
 * of all connections per wakeup. Owned by the loop thread. The one timer list of every loop: the
 * rules that pick a list are {@link Deadlines}'.
 */
public final class TimerList {
    final long timeoutMs;
    private Conn head, tail;

    public TimerList(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** (Re)arms {@code c} to expire {@code timeoutMs} after {@code nowMs}, leaving any other list. */
    public void arm(Conn c, long nowMs) {
        if (c.timerList != null) {
            c.timerList.remove(c);
        }
        c.deadline = nowMs + timeoutMs;
        c.timerList = this;
        c.prev = tail;
        c.next = null;
        if (tail != null) tail.next = c; else head = c;
        tail = c;
    }

    public void remove(Conn c) {
        if (c.prev != null) c.prev.next = c.next; else head = c.next;
        if (c.next != null) c.next.prev = c.prev; else tail = c.prev;
        c.prev = c.next = null;
        c.timerList = null;
    }

    /** The first connection whose deadline is at or before {@code nowMs}, or null. */
    public Conn expired(long nowMs) {
        return head != null && head.deadline <= nowMs ? head : null;
    }

    /** Milliseconds until the earliest deadline, or -1 when empty. */
    public long untilNext(long nowMs) {
        return head == null ? -1 : Math.max(0, head.deadline - nowMs);
    }
}
