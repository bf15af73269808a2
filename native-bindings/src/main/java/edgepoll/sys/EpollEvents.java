package edgepoll.sys;

import edgepoll.sys.gen.epoll_event;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A view over one preallocated {@code struct epoll_event[capacity]}, read by index with no object
 * per event.
 *
 * <pre>{@code
 * typedef union epoll_data { void *ptr; int fd; uint32_t u32; uint64_t u64; } epoll_data_t;
 * struct epoll_event { uint32_t events; epoll_data_t data; } __EPOLL_PACKED;  // packed on x86_64: 12 bytes
 * }</pre>
 *
 * <p>The element size and field offsets come from the generated {@code epoll_event.layout()}, and the
 * {@code u64} field layout is selected from inside that packed struct, so it keeps its byte
 * alignment of 1 (the standalone {@code epoll_data} layout is 8-aligned and would be wrong at
 * offset 4). The segment belongs to the arena passed in; it dies with it.
 */
public final class EpollEvents {
    /** sizeof(struct epoll_event): 12 on x86_64. */
    public static final long SIZE = epoll_event.layout().byteSize();
    private static final long EVENTS_OFFSET = epoll_event.layout().byteOffset(
            MemoryLayout.PathElement.groupElement("events"));
    private static final long DATA_OFFSET = epoll_event.layout().byteOffset(
            MemoryLayout.PathElement.groupElement("data"));
    private static final ValueLayout.OfInt EVENTS = (ValueLayout.OfInt) epoll_event.layout().select(
            MemoryLayout.PathElement.groupElement("events"));
    private static final ValueLayout.OfLong U64 = (ValueLayout.OfLong) epoll_event.layout().select(
            MemoryLayout.PathElement.groupElement("data"), MemoryLayout.PathElement.groupElement("u64"));

    static {
        Platform.check();
    }

    private final MemorySegment segment;
    private final int capacity;

    public EpollEvents(Arena arena, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("epoll event array needs at least one slot, got " + capacity);
        }
        this.capacity = capacity;
        this.segment = arena.allocate(epoll_event.layout(), capacity);
    }

    /** The array, to pass to epoll_wait. */
    public MemorySegment segment() {
        return segment;
    }

    public int capacity() {
        return capacity;
    }

    /** The {@code events} mask of element {@code i}. */
    public int events(int i) {
        return segment.get(EVENTS, i * SIZE + EVENTS_OFFSET);
    }

    /** The {@code data.u64} of element {@code i}. */
    public long u64(int i) {
        return segment.get(U64, i * SIZE + DATA_OFFSET);
    }

    /** Fills element {@code i} (used as the in-argument of epoll_ctl). */
    public void set(int i, int events, long u64) {
        segment.set(EVENTS, i * SIZE + EVENTS_OFFSET, events);
        segment.set(U64, i * SIZE + DATA_OFFSET, u64);
    }
}
