package edgepoll.uring;

import edgepoll.sys.uring.BufferRing;
import edgepoll.worker.BufferPool;
import java.lang.foreign.MemorySegment;

/**
 * The provided-buffer ring from the loop's side: which buffers the kernel has handed us in recv
 * CQEs and we still hold, copying them into a connection's own input buffer, and handing them back
 * (recycled buffers are published to the kernel once per turn, before the enter). Owned by the loop
 * thread; the {@link BufferRing} itself (memory, registration) is native-bindings'.
 */
final class ProvidedBuffers {
    private final BufferRing ring;
    private final MemorySegment memory;
    /** Buffers handed back since the last publish. */
    private int recycled;
    /** Buffers the kernel gave us (in CQEs) and we have not handed back. */
    private int held;

    ProvidedBuffers(BufferRing ring) {
        this.ring = ring;
        this.memory = ring.buffers();
    }

    BufferRing ring() {
        return ring;
    }

    /** Buffers the kernel can still pick from. */
    int available() {
        return ring.count() - held;
    }

    /** A CQE carried buffer {@code bid}: it is ours until recycled. */
    void taken(int bid) {
        held++;
    }

    void recycle(int bid) {
        ring.add(bid);
        recycled++;
        held--;
    }

    /** Before the enter: makes the recycled buffers visible to the kernel. */
    void publish() {
        if (recycled > 0) {
            ring.publish();
            recycled = 0;
        }
    }

    /** Copies held buffers into the connection's input buffer as far as it has room; recycles the used ones. */
    boolean feed(UringConnection c, BufferPool pool) {
        if (c.pendCount == 0) return false;
        if (c.in == null) {
            c.in = pool.acquire();
        } else {
            c.compact();
        }
        int cap = (int) c.in.byteSize();
        boolean moved = false;
        while (c.pendCount > 0 && c.inLen < cap) {
            int i = c.headIndex();
            int bid = c.pendBid[i], off = c.pendOff[i], len = c.pendLen[i];
            int n = Math.min(len - off, cap - c.inLen);
            MemorySegment.copy(memory, ring.offset(bid) + off, c.in, c.inLen, n);
            c.inLen += n;
            moved = true;
            if (off + n == len) {
                recycle(bid);
                c.popPending();
            } else {
                c.pendOff[i] = off + n;
            }
        }
        return moved;
    }

    /** Hands back every buffer the connection still holds (it is closing or lingering). */
    void drop(UringConnection c) {
        while (c.pendCount > 0) {
            recycle(c.pendBid[c.headIndex()]);
            c.popPending();
        }
    }
}
