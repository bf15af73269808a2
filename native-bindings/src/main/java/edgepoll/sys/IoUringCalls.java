package edgepoll.sys;

import edgepoll.sys.gen.LibC;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The io_uring system calls and mmap/munmap, linked with {@code captureCallState("errno")}.
 *
 * <p>glibc has no io_uring wrappers, so io_uring_setup, io_uring_enter and io_uring_register go
 * through {@code long syscall(long number, ...)}. glibc's syscall(2) reads every variadic argument
 * as a {@code long}, so each argument is passed as one (pointers as {@code C_POINTER}, the same
 * width); the kernel truncates to the declared {@code unsigned int}. Like {@link Syscalls}, each
 * method returns the result when it is {@code >= 0}, else {@code -errno}, and allocates nothing.
 *
 * <p>Owns no memory and no fd; {@code edgepoll.sys.uring.Ring} is the one caller.
 */
public final class IoUringCalls {
    private IoUringCalls() {}

    static {
        Platform.check();
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final long NR_SETUP = LibC.__NR_io_uring_setup();
    private static final long NR_ENTER = LibC.__NR_io_uring_enter();
    private static final long NR_REGISTER = LibC.__NR_io_uring_register();

    /** syscall(2) with the number and then the given variadic argument layouts. */
    private static MethodHandle syscall(FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LibC.syscall.address(), descriptor,
                CallState.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    // int io_uring_setup(u32 entries, struct io_uring_params *p)
    private static final MethodHandle SETUP = syscall(FunctionDescriptor.of(LibC.C_LONG,
            LibC.C_LONG, LibC.C_LONG, LibC.C_POINTER));
    // int io_uring_enter(unsigned fd, u32 to_submit, u32 min_complete, u32 flags, const void *arg, size_t argsz)
    // arg is a raw address: the hot path passes 0 or a preallocated io_uring_getevents_arg.
    private static final MethodHandle ENTER = syscall(FunctionDescriptor.of(LibC.C_LONG,
            LibC.C_LONG, LibC.C_LONG, LibC.C_LONG, LibC.C_LONG, LibC.C_LONG, LibC.C_LONG, LibC.C_LONG));
    // int io_uring_register(unsigned fd, unsigned opcode, void *arg, unsigned nr_args)
    private static final MethodHandle REGISTER = syscall(FunctionDescriptor.of(LibC.C_LONG,
            LibC.C_LONG, LibC.C_LONG, LibC.C_LONG, LibC.C_POINTER, LibC.C_LONG));
    // void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    private static final MethodHandle MMAP = LINKER.downcallHandle(LibC.mmap$address(), LibC.mmap$descriptor(),
            CallState.CAPTURE_ERRNO);
    // int munmap(void *addr, size_t len)
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LibC.munmap$address(), LibC.munmap$descriptor(),
            CallState.CAPTURE_ERRNO);

    private static int ret(MemorySegment cs, long rc) {
        return rc >= 0 ? (int) rc : -CallState.errno(cs);
    }

    private static AssertionError linkageBroken(Throwable t) {
        return new AssertionError("downcall failed: " + t, t);
    }

    /** io_uring_setup(2): the ring fd, or -errno. {@code params} is a zeroed-then-filled io_uring_params. */
    public static int setup(MemorySegment cs, int entries, MemorySegment params) {
        try { return ret(cs, (long) SETUP.invokeExact(cs, NR_SETUP, (long) entries, params)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    /**
     * io_uring_enter(2) with {@code arg} as a raw address (0 for none, else an
     * io_uring_getevents_arg with {@code IORING_ENTER_EXT_ARG} in {@code flags}, or a sigset).
     * Returns the number of SQEs consumed, or -errno.
     */
    public static int enter(MemorySegment cs, int fd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        try {
            return ret(cs, (long) ENTER.invokeExact(cs, NR_ENTER, (long) fd, (long) toSubmit,
                    (long) minComplete, (long) flags, arg, argSize));
        } catch (Throwable t) { throw linkageBroken(t); }
    }

    /** io_uring_register(2): the opcode's result (often 0), or -errno. */
    public static int register(MemorySegment cs, int fd, int opcode, MemorySegment arg, int nrArgs) {
        try { return ret(cs, (long) REGISTER.invokeExact(cs, NR_REGISTER, (long) fd, (long) opcode, arg, (long) nrArgs)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    /**
     * mmap(NULL, length, prot, flags, fd, offset): the mapping's address, or -errno. The address is
     * a user-space address (below 2^47 on x86_64), so it is positive and cannot be mistaken for -errno.
     */
    public static long mmap(MemorySegment cs, long length, int prot, int flags, int fd, long offset) {
        MemorySegment p;
        try { p = (MemorySegment) MMAP.invokeExact(cs, MemorySegment.NULL, length, prot, flags, fd, offset); }
        catch (Throwable t) { throw linkageBroken(t); }
        return p.address() == -1L ? -CallState.errno(cs) : p.address();  // MAP_FAILED is (void *) -1
    }

    /** munmap(address, length): 0, or -errno. Cold path (the segment it builds is one object). */
    public static int munmap(MemorySegment cs, long address, long length) {
        try { return ret(cs, (int) MUNMAP.invokeExact(cs, MemorySegment.ofAddress(address), length)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }
}
