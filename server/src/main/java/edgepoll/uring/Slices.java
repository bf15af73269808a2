package edgepoll.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The uring loop's connection buffers (the epoll loops' BufferPool): fixed-size slices of slabs
 * from the loop's confined arena, lent while a connection has bytes in flight, kept on a free stack.
 * Its size is the high-water mark of buffers in use. Owned by the loop thread.
 */
final class Slices {
    private static final int SLAB_SLICES = 64;

    private final Arena arena;
    private final int sliceSize;
    private MemorySegment[] free = new MemorySegment[SLAB_SLICES];
    private int freeCount;
    private long allocatedSlices;

    Slices(Arena arena, int sliceSize) {
        this.arena = arena;
        this.sliceSize = sliceSize;
    }

    MemorySegment acquire() {
        if (freeCount == 0) grow();
        MemorySegment s = free[--freeCount];
        free[freeCount] = null;
        return s;
    }

    void release(MemorySegment s) {
        free[freeCount++] = s;
    }

    long allocatedBytes() {
        return allocatedSlices * sliceSize;
    }

    long inUse() {
        return allocatedSlices - freeCount;
    }

    private void grow() {
        MemorySegment slab = arena.allocate((long) sliceSize * SLAB_SLICES, 64);
        allocatedSlices += SLAB_SLICES;
        if (free.length < allocatedSlices) free = Arrays.copyOf(free, (int) Math.max(allocatedSlices, free.length * 2L));
        for (int i = SLAB_SLICES - 1; i >= 0; i--) free[freeCount++] = slab.asSlice((long) i * sliceSize, sliceSize);
    }
}
