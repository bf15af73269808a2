package edgepoll.sys.uring;

import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.IoUringCalls;
import edgepoll.sys.SyscallException;
import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.__kernel_timespec;
import edgepoll.sys.gen.io_cqring_offsets;
import edgepoll.sys.gen.io_sqring_offsets;
import edgepoll.sys.gen.io_uring_cqe;
import edgepoll.sys.gen.io_uring_getevents_arg;
import edgepoll.sys.gen.io_uring_params;
import edgepoll.sys.gen.io_uring_sqe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance: its fd, its mmapped submission and completion rings and its SQE array.
 * This is the only class that touches a ring's shared memory: {@link RingMappings} only maps it,
 * {@link Prep} writes the fields of an SQE this class handed out, and {@link BufferRing} owns the
 * separate provided-buffer rings.
 *
 * <p><b>Ordering.</b> The kernel and this class share four counters. The SQ tail and CQ head are
 * ours: written with release stores, so the SQE bytes (or our reads of the CQEs) happen before the
 * kernel sees the new value. The SQ head and CQ tail are the kernel's: read with acquire loads, so
 * the CQE bytes are read after the tail that published them. With SQPOLL the SQ flags word is read
 * after a full fence (the kernel thread may be going to sleep while we publish the tail).
 *
 * <p><b>Memory.</b> The ring owns a shared arena: the errno capture segment, the setup params,
 * the wait-timeout argument and the scope of the mmapped segments. {@link #close()} closes the
 * arena first, so a segment anyone kept fails with IllegalStateException instead of touching
 * unmapped memory, then unmaps and closes the fd. Nothing is allocated per operation.
 *
 * <p><b>Threads.</b> One thread submits and reaps (with {@code IORING_SETUP_SINGLE_ISSUER} the kernel
 * enforces it: the thread that created the ring); there is no lock.
 */
public final class Ring implements AutoCloseable {
    public static final int SETUP_SQPOLL = LibC.IORING_SETUP_SQPOLL();
    public static final int SETUP_CQSIZE = LibC.IORING_SETUP_CQSIZE();
    public static final int SETUP_CLAMP = LibC.IORING_SETUP_CLAMP();
    public static final int SETUP_SUBMIT_ALL = LibC.IORING_SETUP_SUBMIT_ALL();
    public static final int SETUP_COOP_TASKRUN = LibC.IORING_SETUP_COOP_TASKRUN();
    public static final int SETUP_SINGLE_ISSUER = LibC.IORING_SETUP_SINGLE_ISSUER();
    public static final int SETUP_DEFER_TASKRUN = LibC.IORING_SETUP_DEFER_TASKRUN();
    public static final int FEAT_SINGLE_MMAP = LibC.IORING_FEAT_SINGLE_MMAP();
    public static final int FEAT_NODROP = LibC.IORING_FEAT_NODROP();
    public static final int FEAT_FAST_POLL = LibC.IORING_FEAT_FAST_POLL();
    public static final int FEAT_EXT_ARG = LibC.IORING_FEAT_EXT_ARG();

    /**
     * Optional setup flags in the order they are given up when io_uring_setup says EINVAL (a
     * kernel older than the flag): DEFER_TASKRUN (6.1), SINGLE_ISSUER (6.0), COOP_TASKRUN (5.19),
     * SUBMIT_ALL (5.18). DEFER_TASKRUN needs SINGLE_ISSUER, so it goes first.
     */
    private static final int[] OPTIONAL_FLAGS = {SETUP_DEFER_TASKRUN, SETUP_SINGLE_ISSUER,
        SETUP_COOP_TASKRUN, SETUP_SUBMIT_ALL};

    private static final int ENTER_GETEVENTS = LibC.IORING_ENTER_GETEVENTS();
    private static final int ENTER_SQ_WAKEUP = LibC.IORING_ENTER_SQ_WAKEUP();
    private static final int ENTER_EXT_ARG = LibC.IORING_ENTER_EXT_ARG();
    private static final int SQ_NEED_WAKEUP = LibC.IORING_SQ_NEED_WAKEUP();
    private static final int SQ_CQ_OVERFLOW = LibC.IORING_SQ_CQ_OVERFLOW();
    private static final int SQ_NEEDS_ENTER = SQ_CQ_OVERFLOW | LibC.IORING_SQ_TASKRUN();
    static final long SQE_SIZE = io_uring_sqe.layout().byteSize();
    static final long CQE_SIZE = io_uring_cqe.layout().byteSize();
    private static final long CQE_USER_DATA = io_uring_cqe.user_data$offset();
    private static final long CQE_RES = io_uring_cqe.res$offset();
    private static final long CQE_FLAGS = io_uring_cqe.flags$offset();

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** Receives one completion; see {@link #forEachCompletion}. */
    @FunctionalInterface
    public interface CompletionHandler {
        void onCompletion(long userData, int res, int flags);
    }

    private final Arena arena;
    private final MemorySegment cs;
    private final int fd;
    private final int setupFlags;
    private final int features;
    private final RingMappings maps;
    private final MemorySegment sqRing, cqRing, sqes;
    private final long sqHeadAt, sqTailAt, sqFlagsAt, cqHeadAt, cqTailAt, cqesAt, cqOverflowAt;
    private final int sqMask, sqEntries, cqMask, cqEntries;
    private final MemorySegment waitArg, waitTimespec;
    private int sqTail;   // our copy of the SQ tail: SQEs handed out so far
    private int cqHead;   // our copy of the CQ head: CQEs consumed so far
    private boolean closed;

    /**
     * Creates a ring of {@code entries} SQEs (rounded up to a power of two by the kernel).
     *
     * @param flags {@code SETUP_*} bits; {@link #OPTIONAL_FLAGS} among them are dropped one by one
     *              while the kernel answers EINVAL, see {@link #setupFlags()} for what was kept
     * @param sqThreadIdleMs with {@code SETUP_SQPOLL}: how long the kernel thread spins before sleeping
     * @throws SyscallException io_uring_setup's errno (EPERM or ENOSYS where seccomp or
     *         {@code kernel.io_uring_disabled} forbids io_uring), or an mmap failure
     */
    public static Ring open(int entries, int flags, int sqThreadIdleMs) throws SyscallException {
        Arena arena = Arena.ofShared();
        try {
            return new Ring(arena, entries, flags, sqThreadIdleMs);
        } catch (SyscallException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private Ring(Arena arena, int entries, int requestedFlags, int sqThreadIdleMs) throws SyscallException {
        this.arena = arena;
        this.cs = CallState.allocate(arena);
        MemorySegment p = arena.allocate(io_uring_params.layout());
        int flags = requestedFlags;
        int rc = setup(p, entries, flags, sqThreadIdleMs);
        for (int i = 0; rc == -Errno.EINVAL && i < OPTIONAL_FLAGS.length; i++) {
            if ((flags & OPTIONAL_FLAGS[i]) != 0) {
                flags &= ~OPTIONAL_FLAGS[i];
                rc = setup(p, entries, flags, sqThreadIdleMs);
            }
        }
        SyscallException.check("io_uring_setup(entries=" + entries + ", flags=0x" + Integer.toHexString(flags) + ")", rc);
        this.fd = rc;
        this.setupFlags = flags;
        this.features = io_uring_params.features(p);
        this.sqEntries = io_uring_params.sq_entries(p);
        this.cqEntries = io_uring_params.cq_entries(p);
        try {
            this.maps = RingMappings.map(cs, fd, p, arena);
        } catch (SyscallException e) {
            edgepoll.sys.Syscalls.close(cs, fd);
            throw e;
        }
        this.sqRing = maps.sqRing;
        this.cqRing = maps.cqRing;
        this.sqes = maps.sqes;
        MemorySegment so = io_uring_params.sq_off(p);
        MemorySegment co = io_uring_params.cq_off(p);
        this.sqHeadAt = io_sqring_offsets.head(so);
        this.sqTailAt = io_sqring_offsets.tail(so);
        this.sqFlagsAt = io_sqring_offsets.flags(so);
        this.sqMask = sqRing.get(ValueLayout.JAVA_INT, io_sqring_offsets.ring_mask(so));
        this.cqHeadAt = io_cqring_offsets.head(co);
        this.cqTailAt = io_cqring_offsets.tail(co);
        this.cqesAt = io_cqring_offsets.cqes(co);
        this.cqOverflowAt = io_cqring_offsets.overflow(co);
        this.cqMask = cqRing.get(ValueLayout.JAVA_INT, io_cqring_offsets.ring_mask(co));
        // The SQ index array maps ring slot i to SQE i, once: slot and SQE then always agree.
        long array = io_sqring_offsets.array(so);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(ValueLayout.JAVA_INT, array + 4L * i, i);
        }
        this.sqTail = (int) INT.getAcquire(sqRing, sqTailAt);
        this.cqHead = (int) INT.getAcquire(cqRing, cqHeadAt);
        this.waitArg = arena.allocate(io_uring_getevents_arg.layout());
        this.waitTimespec = arena.allocate(__kernel_timespec.layout());
        io_uring_getevents_arg.ts(waitArg, waitTimespec.address());
    }

    private int setup(MemorySegment p, int entries, int flags, int sqThreadIdleMs) {
        setupCalls++;
        p.fill((byte) 0);
        io_uring_params.flags(p, flags);
        io_uring_params.sq_thread_idle(p, sqThreadIdleMs);
        return IoUringCalls.setup(cs, entries, p);
    }

    public int fd() { return fd; }

    private int setupCalls;
    private long enters;
    private int lastSubmitted, lastEnterFlags;

    /** io_uring_setup calls open made (more than one when optional flags were refused with EINVAL). */
    public int setupCalls() { return setupCalls; }

    /** io_uring_enter calls made so far (submitAndWait skips the call when nothing needs it). */
    public long enters() { return enters; }

    /** The to_submit and flags arguments of the last io_uring_enter made (for counters and traces). */
    public int lastToSubmit() { return lastSubmitted; }

    public int lastEnterFlags() { return lastEnterFlags; }

    public boolean isOpen() { return !closed; }

    /** The setup flags the kernel accepted (the requested ones minus any optional flag it refused). */
    public int setupFlags() { return setupFlags; }

    /** {@code FEAT_*} bits the kernel reported. */
    public int features() { return features; }

    public int sqEntries() { return sqEntries; }

    public int cqEntries() { return cqEntries; }

    /** The SQE array, for {@link Prep}: an SQE is the 64 bytes at an offset {@link #nextSqe()} returned. */
    public MemorySegment sqes() { return sqes; }

    /** This ring's errno capture segment (for the thread that drives the ring). */
    MemorySegment callState() { return cs; }

    /**
     * The byte offset in {@link #sqes()} of a free, zeroed SQE, or -1 when the SQ is full (submit
     * first). The SQE is queued: the next {@link #submitAndWait} hands it to the kernel.
     */
    public long nextSqe() {
        int head = (int) INT.getAcquire(sqRing, sqHeadAt);
        if (sqTail - head >= sqEntries) return -1;
        long at = (long) (sqTail & sqMask) * SQE_SIZE;
        for (long o = 0; o < SQE_SIZE; o += 8) {
            sqes.set(ValueLayout.JAVA_LONG, at + o, 0L);
        }
        sqTail++;
        return at;
    }

    /** SQEs handed out and not yet consumed by the kernel. */
    public int sqPending() {
        return sqTail - (int) INT.getAcquire(sqRing, sqHeadAt);
    }

    /**
     * Publishes the queued SQEs and, in one io_uring_enter, submits them and waits for
     * {@code minComplete} completions. Skips the syscall when there is nothing to submit, nothing
     * to wait for and the kernel does not ask for an enter (SQPOLL awake, no overflow, no task work).
     *
     * @return SQEs the kernel consumed (0 with SQPOLL, whose thread consumes them), or -errno
     *         (-EINTR, -EAGAIN, -EBUSY: the caller reaps completions and retries)
     */
    public int submitAndWait(int minComplete) {
        return enter(minComplete, 0, 0);
    }

    /**
     * As {@link #submitAndWait(int)}, but returns -ETIME once {@code timeoutNanos} pass without
     * {@code minComplete} completions. Needs {@code FEAT_EXT_ARG} (5.11); the argument lives in the
     * ring's arena and is rewritten in place, so this allocates nothing either.
     */
    public int submitAndWait(int minComplete, long timeoutNanos) {
        __kernel_timespec.tv_sec(waitTimespec, timeoutNanos / 1_000_000_000L);
        __kernel_timespec.tv_nsec(waitTimespec, timeoutNanos % 1_000_000_000L);
        return enter(minComplete, ENTER_EXT_ARG, waitArg.address());
    }

    private int enter(int minComplete, int extraFlags, long arg) {
        if (closed) throw new IllegalStateException("ring closed");
        INT.setRelease(sqRing, sqTailAt, sqTail);
        boolean sqpoll = (setupFlags & SETUP_SQPOLL) != 0;
        int toSubmit = sqpoll ? 0 : sqTail - (int) INT.getAcquire(sqRing, sqHeadAt);
        int flags = extraFlags;
        boolean needed = toSubmit > 0;
        if (sqpoll) {
            VarHandle.fullFence();  // the tail store above before the flags load (liburing: io_uring_smp_mb)
            if (((int) INT.getVolatile(sqRing, sqFlagsAt) & SQ_NEED_WAKEUP) != 0) {
                flags |= ENTER_SQ_WAKEUP;
                needed = true;
            }
        }
        if (minComplete > 0 || (setupFlags & SETUP_DEFER_TASKRUN) != 0
                || ((int) INT.getAcquire(sqRing, sqFlagsAt) & SQ_NEEDS_ENTER) != 0) {
            flags |= ENTER_GETEVENTS;
            needed = true;
        }
        if (!needed) return 0;
        long argSize = arg == 0 ? 0 : waitArg.byteSize();
        enters++;
        lastSubmitted = toSubmit;
        lastEnterFlags = flags;
        return IoUringCalls.enter(cs, fd, toSubmit, minComplete, flags, arg, argSize);
    }

    /**
     * Whether the kernel holds completions that did not fit the CQ ({@code IORING_SQ_CQ_OVERFLOW}):
     * with {@code FEAT_NODROP} they wait in its overflow list and are flushed into the CQ as room
     * frees (by the next enter with GETEVENTS, which {@link #submitAndWait} then makes).
     */
    public boolean cqOverflowPending() {
        return ((int) INT.getAcquire(sqRing, sqFlagsAt) & SQ_CQ_OVERFLOW) != 0;
    }

    /** The CQ ring's overflow counter: completions the kernel dropped for good (never, with FEAT_NODROP, unless it ran out of memory). */
    public int cqDropped() {
        return (int) INT.getAcquire(cqRing, cqOverflowAt);
    }

    /** Completions posted and not yet consumed. */
    public int cqReady() {
        return (int) INT.getAcquire(cqRing, cqTailAt) - cqHead;
    }

    /**
     * Calls {@code handler} for every posted completion, oldest first, then releases their slots
     * to the kernel with one store (also when the handler throws: the completions it saw are gone).
     * The handler may queue SQEs and even submit; it should not call this method.
     *
     * @return the number of completions handled
     */
    public int forEachCompletion(CompletionHandler handler) {
        int ready = cqReady();
        int seen = 0;
        try {
            while (seen < ready) {
                long at = cqesAt + (long) ((cqHead + seen) & cqMask) * CQE_SIZE;
                long userData = cqRing.get(ValueLayout.JAVA_LONG, at + CQE_USER_DATA);
                int res = cqRing.get(ValueLayout.JAVA_INT, at + CQE_RES);
                int flags = cqRing.get(ValueLayout.JAVA_INT, at + CQE_FLAGS);
                seen++;
                handler.onCompletion(userData, res, flags);
            }
        } finally {
            cqHead += seen;
            INT.setRelease(cqRing, cqHeadAt, cqHead);
        }
        return ready;
    }

    /**
     * Unmaps the rings and closes the ring fd; the kernel cancels what is in flight. Close every
     * {@link BufferRing} registered on this ring first. Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        arena.close();  // first: no Java access to the mappings after this point
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment c = CallState.allocate(tmp);
            maps.unmap(c);
            edgepoll.sys.Syscalls.close(c, fd);
        }
    }
}
