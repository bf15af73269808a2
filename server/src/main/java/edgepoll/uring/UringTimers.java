package edgepoll.uring;

/**
 * Connections ordered by deadline for one fixed timeout, as an intrusive doubly linked list (the
 * epoll loops' TimerList, for {@link UringConnection}): appending on activity keeps it sorted, so
 * arming and cancelling are O(1) and expiry looks at the head only. Owned by the loop thread.
 */
final class UringTimers {
    final long timeoutMs;
    private UringConnection head, tail;

    UringTimers(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    void arm(UringConnection c, long nowMs) {
        if (c.timerList != null) c.timerList.remove(c);
        c.deadline = nowMs + timeoutMs;
        c.timerList = this;
        c.prev = tail;
        c.next = null;
        if (tail != null) tail.next = c; else head = c;
        tail = c;
    }

    void remove(UringConnection c) {
        if (c.prev != null) c.prev.next = c.next; else head = c.next;
        if (c.next != null) c.next.prev = c.prev; else tail = c.prev;
        c.prev = c.next = null;
        c.timerList = null;
    }

    UringConnection expired(long nowMs) {
        return head != null && head.deadline <= nowMs ? head : null;
    }

    long untilNext(long nowMs) {
        return head == null ? -1 : Math.max(0, head.deadline - nowMs);
    }
}
