package edgepoll.worker;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Fixed-size off-heap buffers for connections, lent while a connection has bytes in flight and
 * taken back as soon as it has none, so an idle connection holds no buffer.
 *
 * <p>Buffers are slices of slabs allocated from the loop's confined arena, 64 at a time, when the
 * free stack is empty; they go back on the stack, never to the arena, and all of them die when
 * the loop closes its arena. The pool's size is therefore the high-water mark of buffers in use.
 * Single-threaded: owned by the thread of the loop that made it (an epoll or io_uring loop).
 */
public final class BufferPool {
    private static final int SLAB_SLICES = 64;

    private final Arena arena;
    private final int sliceSize;
    private MemorySegment[] free = new MemorySegment[SLAB_SLICES];
    private int freeCount;
    private long allocatedSlices;

    public BufferPool(Arena arena, int sliceSize) {
        this.arena = arena;
        this.sliceSize = sliceSize;
    }

    public MemorySegment acquire() {
        if (freeCount == 0) {
            grow();
        }
        MemorySegment s = free[--freeCount];
        free[freeCount] = null;
        return s;
    }

    public void release(MemorySegment s) {
        free[freeCount++] = s;
    }

    /** Native bytes this pool holds, in use or free. */
    public long allocatedBytes() {
        return allocatedSlices * sliceSize;
    }

    /** Buffers lent out now. */
    public long inUse() {
        return allocatedSlices - freeCount;
    }

    private void grow() {
        MemorySegment slab = arena.allocate((long) sliceSize * SLAB_SLICES, 64);
        allocatedSlices += SLAB_SLICES;
        if (free.length < allocatedSlices) {
            free = Arrays.copyOf(free, (int) Math.max(allocatedSlices, free.length * 2L));
        }
        for (int i = SLAB_SLICES - 1; i >= 0; i--) {
            free[freeCount++] = slab.asSlice((long) i * sliceSize, sliceSize);
        }
    }
}
