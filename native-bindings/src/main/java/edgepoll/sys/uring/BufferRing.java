package edgepoll.sys.uring;

import edgepoll.sys.SyscallException;
import edgepoll.sys.IoUringCalls;
import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.io_uring_buf;
import edgepoll.sys.gen.io_uring_buf_reg;
import edgepoll.sys.gen.io_uring_buf_ring;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING, kernel 5.19): {@code count} buffers of
 * {@code size} bytes in one segment, offered to the kernel under a group id. A recv with
 * {@code IOSQE_BUFFER_SELECT} takes the next offered buffer and names it in its CQE
 * ({@link Cqe#bufferId}); the buffer is ours again until {@link #recycle} offers it back.
 *
 * <p>The ring of {@code struct io_uring_buf} entries is shared with the kernel: we write entries
 * and then the 16-bit tail (which overlays {@code bufs[0].resv}) with a release store; the kernel
 * keeps its head to itself. Since at most {@code count} buffers exist and the ring has {@code count}
 * slots, an entry is never overwritten before the kernel consumed it.
 *
 * <p>Owns a shared arena with the entries (page-aligned, as the kernel requires) and the buffers.
 * Close it before its {@link Ring}: close unregisters the group, then frees the memory.
 */
public final class BufferRing implements AutoCloseable {
    private static final long ENTRY = io_uring_buf.layout().byteSize();
    private static final long ADDR = io_uring_buf.addr$offset();
    private static final long LEN = io_uring_buf.len$offset();
    private static final long BID = io_uring_buf.bid$offset();
    private static final long TAIL = io_uring_buf_ring.tail$offset();
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final long PAGE = 4096;

    private final Ring ring;
    private final Arena arena;
    private final short group;
    private final int count;
    private final int size;
    private final int mask;
    private final MemorySegment entries;
    private final MemorySegment buffers;
    private int tail;
    private boolean closed;

    /**
     * Allocates {@code count} (a power of two, at most 32768) buffers of {@code size} bytes,
     * registers them as group {@code group} of {@code ring} and offers all of them.
     */
    public static BufferRing register(Ring ring, short group, int count, int size) throws SyscallException {
        if (Integer.bitCount(count) != 1 || count > 32768) {
            throw new IllegalArgumentException("buffer count must be a power of two <= 32768: " + count);
        }
        Arena arena = Arena.ofShared();
        try {
            return new BufferRing(ring, arena, group, count, size);
        } catch (SyscallException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private BufferRing(Ring ring, Arena arena, short group, int count, int size) throws SyscallException {
        this.ring = ring;
        this.arena = arena;
        this.group = group;
        this.count = count;
        this.size = size;
        this.mask = count - 1;
        this.entries = arena.allocate(ENTRY * count, PAGE);
        this.buffers = arena.allocate((long) size * count, PAGE);
        MemorySegment reg = arena.allocate(io_uring_buf_reg.layout());
        io_uring_buf_reg.ring_addr(reg, entries.address());
        io_uring_buf_reg.ring_entries(reg, count);
        io_uring_buf_reg.bgid(reg, group);
        SyscallException.check("io_uring_register(PBUF_RING, group=" + group + ", entries=" + count + ")",
                IoUringCalls.register(ring.callState(), ring.fd(), LibC.IORING_REGISTER_PBUF_RING(), reg, 1));
        for (int bid = 0; bid < count; bid++) {
            add(bid);
        }
        publish();
    }

    public short group() { return group; }

    public int count() { return count; }

    public int bufferSize() { return size; }

    /** All buffers, one after the other: buffer {@code bid} starts at {@link #offset(int)}. */
    public MemorySegment buffers() { return buffers; }

    public long offset(int bid) {
        return (long) bid * size;
    }

    /** Queues buffer {@code bid} for the kernel; it sees it after {@link #publish()}. */
    public void add(int bid) {
        if (bid < 0 || bid >= count) throw new IndexOutOfBoundsException("buffer id " + bid);
        long at = (long) (tail & mask) * ENTRY;
        entries.set(ValueLayout.JAVA_LONG, at + ADDR, buffers.address() + offset(bid));
        entries.set(ValueLayout.JAVA_INT, at + LEN, size);
        entries.set(ValueLayout.JAVA_SHORT, at + BID, (short) bid);
        tail++;
    }

    /** Makes the buffers added so far visible to the kernel (one release store of the tail). */
    public void publish() {
        SHORT.setRelease(entries, TAIL, (short) tail);
    }

    /** {@link #add} then {@link #publish}: hands one buffer back after its bytes were used. */
    public void recycle(int bid) {
        add(bid);
        publish();
    }

    /** Unregisters the group (if the ring is still open) and frees the buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (ring.isOpen()) {
            MemorySegment reg = arena.allocate(io_uring_buf_reg.layout());
            io_uring_buf_reg.bgid(reg, group);
            IoUringCalls.register(ring.callState(), ring.fd(), LibC.IORING_UNREGISTER_PBUF_RING(), reg, 1);
        }
        arena.close();
    }
}
