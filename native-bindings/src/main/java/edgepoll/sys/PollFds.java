package edgepoll.sys;

import edgepoll.sys.gen.pollfd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A view over one {@code struct pollfd[capacity]} for poll(2), read and written by index with no
 * object per entry. Layout, size and offsets come from the generated {@code pollfd.layout()}.
 *
 * <pre>{@code struct pollfd { int fd; short events; short revents; };}</pre>
 */
public final class PollFds {
    public static final long SIZE = pollfd.layout().byteSize();
    private static final long FD = pollfd.layout().byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    private static final long EVENTS = pollfd.layout().byteOffset(MemoryLayout.PathElement.groupElement("events"));
    private static final long REVENTS = pollfd.layout().byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    private final MemorySegment segment;
    private final int capacity;

    public PollFds(Arena arena, int capacity) {
        this.capacity = capacity;
        this.segment = arena.allocate(pollfd.layout(), capacity);
    }

    public MemorySegment segment() {
        return segment;
    }

    public int capacity() {
        return capacity;
    }

    public void set(int i, int fd, short events) {
        segment.set(ValueLayout.JAVA_INT, i * SIZE + FD, fd);
        segment.set(ValueLayout.JAVA_SHORT, i * SIZE + EVENTS, events);
        segment.set(ValueLayout.JAVA_SHORT, i * SIZE + REVENTS, (short) 0);
    }

    public int fd(int i) {
        return segment.get(ValueLayout.JAVA_INT, i * SIZE + FD);
    }

    public short revents(int i) {
        return segment.get(ValueLayout.JAVA_SHORT, i * SIZE + REVENTS);
    }
}
