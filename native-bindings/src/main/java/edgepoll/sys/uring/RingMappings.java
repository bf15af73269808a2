package edgepoll.sys.uring;

import edgepoll.sys.IoUringCalls;
import edgepoll.sys.SyscallException;
import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.io_cqring_offsets;
import edgepoll.sys.gen.io_sqring_offsets;
import edgepoll.sys.gen.io_uring_params;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The three shared mappings of one ring, made from what io_uring_setup wrote into its params:
 * the SQ ring ({@code IORING_OFF_SQ_RING}), the CQ ring ({@code IORING_OFF_CQ_RING}, the same
 * mapping with {@code IORING_FEAT_SINGLE_MMAP}) and the SQE array ({@code IORING_OFF_SQES}).
 * The segments are scoped to the ring's arena; {@link #unmap} is called after that arena closed.
 * Used by {@link Ring} only.
 */
final class RingMappings {
    private static final int PROT_RW = LibC.PROT_READ() | LibC.PROT_WRITE();
    private static final int MAP_SHARED_POPULATE = LibC.MAP_SHARED() | LibC.MAP_POPULATE();

    final MemorySegment sqRing;
    final MemorySegment cqRing;
    final MemorySegment sqes;
    private final long sqAddress, sqLength, cqAddress, cqLength, sqesAddress, sqesLength;

    private RingMappings(Arena arena, long sqAddress, long sqLength, long cqAddress, long cqLength,
                         long sqesAddress, long sqesLength) {
        this.sqAddress = sqAddress;
        this.sqLength = sqLength;
        this.cqAddress = cqAddress;
        this.cqLength = cqLength;
        this.sqesAddress = sqesAddress;
        this.sqesLength = sqesLength;
        this.sqRing = MemorySegment.ofAddress(sqAddress).reinterpret(sqLength, arena, null);
        this.cqRing = cqLength == 0 ? sqRing : MemorySegment.ofAddress(cqAddress).reinterpret(cqLength, arena, null);
        this.sqes = MemorySegment.ofAddress(sqesAddress).reinterpret(sqesLength, arena, null);
    }

    /** Maps the rings of {@code fd}; on failure unmaps what was mapped (the caller closes the fd). */
    static RingMappings map(MemorySegment cs, int fd, MemorySegment params, Arena arena) throws SyscallException {
        int sqEntries = io_uring_params.sq_entries(params);
        int cqEntries = io_uring_params.cq_entries(params);
        long sqSize = io_sqring_offsets.array(io_uring_params.sq_off(params)) + 4L * sqEntries;
        long cqSize = io_cqring_offsets.cqes(io_uring_params.cq_off(params)) + Ring.CQE_SIZE * cqEntries;
        long sqesSize = Ring.SQE_SIZE * sqEntries;
        boolean single = (io_uring_params.features(params) & Ring.FEAT_SINGLE_MMAP) != 0;
        long sqLength = single ? Math.max(sqSize, cqSize) : sqSize;
        long cqLength = single ? 0 : cqSize;
        long sq = 0, cq = 0;
        try {
            sq = map(cs, fd, sqLength, LibC.IORING_OFF_SQ_RING(), "SQ ring");
            cq = single ? 0 : map(cs, fd, cqLength, LibC.IORING_OFF_CQ_RING(), "CQ ring");
            long sqes = map(cs, fd, sqesSize, LibC.IORING_OFF_SQES(), "SQE array");
            return new RingMappings(arena, sq, sqLength, cq, cqLength, sqes, sqesSize);
        } catch (SyscallException e) {
            if (cq > 0) IoUringCalls.munmap(cs, cq, cqLength);
            if (sq > 0) IoUringCalls.munmap(cs, sq, sqLength);
            throw e;
        }
    }

    private static long map(MemorySegment cs, int fd, long length, long offset, String what) throws SyscallException {
        long a = IoUringCalls.mmap(cs, length, PROT_RW, MAP_SHARED_POPULATE, fd, offset);
        if (a < 0) throw new SyscallException("mmap(io_uring " + what + ", " + length + " bytes)", (int) -a);
        return a;
    }

    /** munmap of all three; {@code cs} must outlive the ring's arena, which is closed by now. */
    void unmap(MemorySegment cs) {
        IoUringCalls.munmap(cs, sqesAddress, sqesLength);
        if (cqLength > 0) IoUringCalls.munmap(cs, cqAddress, cqLength);
        IoUringCalls.munmap(cs, sqAddress, sqLength);
    }
}
