package edgepoll.loop;

import java.util.Arrays;

/**
 * ET's debts: connections whose drain a budget stopped before EAGAIN, so the kernel owes them no
 * new edge and the loop must come back to them itself, in the order they stopped. FIFO, one entry
 * per connection ({@code c.owed}), no allocation once grown. Owned by the loop thread.
 */
final class OwedQueue {
    private Connection[] queue = new Connection[64];
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    /** Queues {@code c} unless it is queued already; returns whether it was added. */
    boolean add(Connection c) {
        if (c.owed) return false;
        c.owed = true;
        if (count == queue.length) queue = Arrays.copyOf(queue, count * 2);
        queue[count++] = c;
        return true;
    }

    /**
     * Takes the connections queued before this call, in order, and hands each one still owed to
     * {@code resume}; those that {@code resume} queues again wait for the next call.
     */
    void drainOnce(java.util.function.Consumer<Connection> resume) {
        int n = count;
        for (int i = 0; i < n; i++) {
            Connection c = queue[i];
            queue[i] = null;
            if (!c.owed) continue;  // closed meanwhile
            c.owed = false;
            resume.accept(c);
        }
        System.arraycopy(queue, n, queue, 0, count - n);
        Arrays.fill(queue, count - n, count, null);
        count -= n;
    }
}
