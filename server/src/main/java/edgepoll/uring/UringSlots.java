package edgepoll.uring;

import edgepoll.transport.Conn;
import edgepoll.worker.BufferPool;
import java.util.Arrays;

/**
 * The uring loop's connections, by slot (the epoll loops' ConnectionTable, for a ring): slot
 * allocation and reuse, the lookup of a CQE's slot and generation, the connection buffers' pool,
 * and the two work lists a turn fills: connections touched by this turn's completions (driven once
 * each after the reap) and connections whose recv ran out of provided buffers (re-armed, oldest
 * first, as buffers come back). A slot is freed only once every request submitted for its
 * connection has completed. Owned by the loop thread.
 */
final class UringSlots {
    final BufferPool pool;
    private UringConnection[] slots = new UringConnection[64];
    private int slotCount;
    private int[] freeSlots = new int[64];
    private int freeCount;
    /** Connections accepted and not yet closed (their close CQE not reaped). */
    private int open;
    private UringConnection[] dirty = new UringConnection[64];
    private int dirtyCount;
    private UringConnection[] starved = new UringConnection[16];
    private int starvedCount;

    UringSlots(BufferPool pool) {
        this.pool = pool;
    }

    /** Connections open (accepted, close CQE not reaped). */
    int open() {
        return open;
    }

    /** A slot for a newly accepted {@code fd}, its connection opened with a new generation. */
    UringConnection open(int fd) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (slotCount == slots.length) slots = Arrays.copyOf(slots, slotCount * 2);
            slot = slotCount++;
            slots[slot] = new UringConnection(slot);
        }
        UringConnection c = slots[slot];
        c.open(fd);
        open++;
        return c;
    }

    /** The close CQE was reaped: the fd is gone (the slot is freed once nothing else is in flight). */
    void closed(UringConnection c) {
        open--;
        c.fd = -1;
    }

    /** The connection a CQE names, or null when the slot was freed or reused since the request was made. */
    UringConnection lookup(int slot, int generation) {
        UringConnection c = slot < slotCount ? slots[slot] : null;
        if (c == null || c.state == Conn.FREE || c.generation != generation) return null;
        return c;
    }

    /** A closing connection whose last request completed: buffers back to the pool, slot free. */
    void maybeFree(UringConnection c) {
        if (c.state != Conn.CLOSED || c.ops > 0) return;
        if (c.in != null) pool.release(c.in);
        if (c.out != null) pool.release(c.out);
        c.in = c.out = null;
        c.state = Conn.FREE;
        if (freeCount == freeSlots.length) freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        freeSlots[freeCount++] = c.slot;
    }

    /** Slots not free: open, lingering, or closing with requests still in the ring. */
    int busy() {
        int n = 0;
        for (int i = 0; i < slotCount; i++) if (slots[i].state != Conn.FREE) n++;
        return n;
    }

    int count() {
        return slotCount;
    }

    UringConnection at(int slot) {
        return slots[slot];
    }

    /** To be driven once after this reap. */
    void markDirty(UringConnection c) {
        if (c.dirty) return;
        c.dirty = true;
        if (dirtyCount == dirty.length) dirty = Arrays.copyOf(dirty, dirtyCount * 2);
        dirty[dirtyCount++] = c;
    }

    /** Drives each connection this reap touched, once, and empties the list. */
    void driveDirty(UringTransfer transfer) {
        for (int i = 0; i < dirtyCount; i++) {
            UringConnection c = dirty[i];
            dirty[i] = null;
            c.dirty = false;
            transfer.drive(c);
        }
        dirtyCount = 0;
    }

    /** The connection's recv ended with ENOBUFS: it waits, in arrival order, for buffers. */
    void starve(UringConnection c) {
        if (c.starved) return;
        c.starved = true;
        if (starvedCount == starved.length) starved = Arrays.copyOf(starved, starvedCount * 2);
        starved[starvedCount++] = c;
    }

    int starvedCount() {
        return starvedCount;
    }

    /**
     * Re-arms as many starved recvs as the ring has buffers, oldest first: re-arming all of them
     * after one buffer came back would have all but one end in ENOBUFS again at once. Those left
     * wait for the next turn, which the loop keeps short while any are waiting.
     */
    void rearmStarved(int available, UringTransfer transfer) {
        if (starvedCount == 0 || available <= 0) return;
        int n = Math.min(starvedCount, available);
        for (int i = 0; i < n; i++) {
            UringConnection c = starved[i];
            c.starved = false;
            if (c.live() && !c.recvArmed && !c.recvCancelling && !c.peerClosed) transfer.armRecv(c);
        }
        System.arraycopy(starved, n, starved, 0, starvedCount - n);
        Arrays.fill(starved, starvedCount - n, starvedCount, null);
        starvedCount -= n;
    }
}
