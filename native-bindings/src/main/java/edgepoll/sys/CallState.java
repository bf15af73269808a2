package edgepoll.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The capture segment that {@code Linker.Option.captureCallState("errno")} fills after each call.
 *
 * <p>One segment per thread that makes syscalls, allocated once from that thread's arena (an event
 * loop allocates it next to its event array). errno is read from it only when the call reported
 * failure: a call that succeeds may leave a stale value behind (see OpenJ9 #24463).
 */
public final class CallState {
    private CallState() {}

    /** The linker option every errno-setting downcall in {@link Syscalls} is built with. */
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** A new capture segment owned by {@code arena}. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /** The errno the last capturing call on {@code state} saw. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
