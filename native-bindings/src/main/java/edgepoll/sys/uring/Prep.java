package edgepoll.sys.uring;

import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.io_uring_sqe;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Fills one SQE: {@code sqes} is {@link Ring#sqes()} and {@code at} an offset {@link Ring#nextSqe()}
 * returned (the SQE is zeroed there, so only the fields an opcode uses are written). Field offsets
 * come from the generated {@code io_uring_sqe} layout; nothing is allocated.
 *
 * <p>Kernel versions: NOP, CLOSE 5.6; SEND, RECV 5.6; ACCEPT 5.5, multishot 5.19; TIMEOUT 5.4;
 * ASYNC_CANCEL 5.5, by fd 5.19; recv multishot with a provided buffer ring 6.0.
 */
public final class Prep {
    private Prep() {}

    public static final byte OP_NOP = (byte) LibC.IORING_OP_NOP();
    public static final byte OP_ACCEPT = (byte) LibC.IORING_OP_ACCEPT();
    public static final byte OP_RECV = (byte) LibC.IORING_OP_RECV();
    public static final byte OP_SEND = (byte) LibC.IORING_OP_SEND();
    public static final byte OP_CLOSE = (byte) LibC.IORING_OP_CLOSE();
    public static final byte OP_TIMEOUT = (byte) LibC.IORING_OP_TIMEOUT();
    public static final byte OP_ASYNC_CANCEL = (byte) LibC.IORING_OP_ASYNC_CANCEL();
    public static final byte OP_POLL_ADD = (byte) LibC.IORING_OP_POLL_ADD();
    public static final byte OP_SHUTDOWN = (byte) LibC.IORING_OP_SHUTDOWN();

    public static final byte SQE_IO_LINK = (byte) LibC.IOSQE_IO_LINK();
    public static final byte SQE_ASYNC = (byte) LibC.IOSQE_ASYNC();
    public static final byte SQE_BUFFER_SELECT = (byte) LibC.IOSQE_BUFFER_SELECT();
    public static final byte SQE_CQE_SKIP_SUCCESS = (byte) LibC.IOSQE_CQE_SKIP_SUCCESS();

    private static final short ACCEPT_MULTISHOT = (short) LibC.IORING_ACCEPT_MULTISHOT();
    private static final short RECV_MULTISHOT = (short) LibC.IORING_RECV_MULTISHOT();
    private static final int POLL_ADD_MULTI = LibC.IORING_POLL_ADD_MULTI();
    private static final int CANCEL_FD = LibC.IORING_ASYNC_CANCEL_FD();
    private static final int CANCEL_ALL = LibC.IORING_ASYNC_CANCEL_ALL();

    private static final long OPCODE = io_uring_sqe.opcode$offset();
    private static final long FLAGS = io_uring_sqe.flags$offset();
    private static final long IOPRIO = io_uring_sqe.ioprio$offset();
    private static final long FD = io_uring_sqe.fd$offset();
    private static final long OFF = io_uring_sqe.off$offset();
    private static final long ADDR = io_uring_sqe.addr$offset();
    private static final long LEN = io_uring_sqe.len$offset();
    private static final long OP_FLAGS = io_uring_sqe.msg_flags$offset();  // the union: msg/accept/timeout/cancel flags
    private static final long USER_DATA = io_uring_sqe.user_data$offset();
    private static final long POLL32_EVENTS = io_uring_sqe.poll32_events$offset();
    private static final long BUF_GROUP = io_uring_sqe.buf_group$offset();

    private static void common(MemorySegment sqes, long at, byte opcode, int fd, long userData) {
        sqes.set(ValueLayout.JAVA_BYTE, at + OPCODE, opcode);
        sqes.set(ValueLayout.JAVA_INT, at + FD, fd);
        sqes.set(ValueLayout.JAVA_LONG, at + USER_DATA, userData);
    }

    /** Adds {@code SQE_*} flags (link, async, skip-success) to a prepared SQE. */
    public static void addFlags(MemorySegment sqes, long at, byte flags) {
        sqes.set(ValueLayout.JAVA_BYTE, at + FLAGS, (byte) (sqes.get(ValueLayout.JAVA_BYTE, at + FLAGS) | flags));
    }

    /** A no-op: completes with res 0. */
    public static void nop(MemorySegment sqes, long at, long userData) {
        common(sqes, at, OP_NOP, -1, userData);
    }

    /**
     * Multishot accept4(fd, NULL, NULL, acceptFlags) (5.19): one CQE per connection, res the new fd,
     * with {@code CQE_F_MORE} while the request stays armed. Pass SOCK_NONBLOCK|SOCK_CLOEXEC as flags.
     */
    public static void acceptMultishot(MemorySegment sqes, long at, int listenFd, int acceptFlags, long userData) {
        common(sqes, at, OP_ACCEPT, listenFd, userData);
        sqes.set(ValueLayout.JAVA_SHORT, at + IOPRIO, ACCEPT_MULTISHOT);
        sqes.set(ValueLayout.JAVA_INT, at + OP_FLAGS, acceptFlags);
    }

    /**
     * Multishot recv (6.0) into buffers the kernel picks from provided-buffer group {@code group}:
     * one CQE per read, res the byte count (0 at EOF), the buffer id in the flags
     * ({@link Cqe#bufferId}); -ENOBUFS without {@code CQE_F_MORE} when the group ran dry.
     */
    public static void recvMultishot(MemorySegment sqes, long at, int fd, short group, long userData) {
        common(sqes, at, OP_RECV, fd, userData);
        sqes.set(ValueLayout.JAVA_BYTE, at + FLAGS, SQE_BUFFER_SELECT);
        sqes.set(ValueLayout.JAVA_SHORT, at + IOPRIO, RECV_MULTISHOT);
        sqes.set(ValueLayout.JAVA_SHORT, at + BUF_GROUP, group);
    }

    /**
     * send(fd, buf + offset, length, msgFlags). The bytes must stay untouched and {@code buf}'s
     * arena open until the CQE arrives (the kernel may read them after the submit returns).
     */
    public static void send(MemorySegment sqes, long at, int fd, MemorySegment buf, long offset, int length,
                            int msgFlags, long userData) {
        Objects.checkFromIndexSize(offset, length, buf.byteSize());
        common(sqes, at, OP_SEND, fd, userData);
        sqes.set(ValueLayout.JAVA_LONG, at + ADDR, buf.address() + offset);
        sqes.set(ValueLayout.JAVA_INT, at + LEN, length);
        sqes.set(ValueLayout.JAVA_INT, at + OP_FLAGS, msgFlags);
    }

    /** close(fd) through the ring (5.6). */
    public static void close(MemorySegment sqes, long at, int fd, long userData) {
        common(sqes, at, OP_CLOSE, fd, userData);
    }

    /**
     * A timeout (5.4): completes with -ETIME after the {@code struct __kernel_timespec} in
     * {@code timespec} (which must stay valid until then), or with 0 once {@code count}
     * other completions were posted (0: time only).
     */
    public static void timeout(MemorySegment sqes, long at, MemorySegment timespec, int count, int timeoutFlags,
                               long userData) {
        common(sqes, at, OP_TIMEOUT, -1, userData);
        sqes.set(ValueLayout.JAVA_LONG, at + ADDR, timespec.address());
        sqes.set(ValueLayout.JAVA_INT, at + LEN, 1);
        sqes.set(ValueLayout.JAVA_LONG, at + OFF, count);
        sqes.set(ValueLayout.JAVA_INT, at + OP_FLAGS, timeoutFlags);
    }

    /** Cancels the request submitted with {@code targetUserData} (5.5); res 0, -ENOENT or -EALREADY. */
    public static void cancel(MemorySegment sqes, long at, long targetUserData, long userData) {
        common(sqes, at, OP_ASYNC_CANCEL, -1, userData);
        sqes.set(ValueLayout.JAVA_LONG, at + ADDR, targetUserData);
    }

    /** Cancels every request on {@code fd} (5.19); res the number cancelled, or -ENOENT. */
    public static void cancelFd(MemorySegment sqes, long at, int fd, long userData) {
        common(sqes, at, OP_ASYNC_CANCEL, fd, userData);
        sqes.set(ValueLayout.JAVA_INT, at + OP_FLAGS, CANCEL_FD | CANCEL_ALL);
    }

    /**
     * poll(fd, events) through the ring (5.1; multishot 5.13): completes with the ready mask, once
     * or, with {@code multishot}, once per wake-up while {@code CQE_F_MORE} is set.
     */
    public static void pollAdd(MemorySegment sqes, long at, int fd, int pollEvents, boolean multishot, long userData) {
        common(sqes, at, OP_POLL_ADD, fd, userData);
        sqes.set(ValueLayout.JAVA_INT, at + POLL32_EVENTS, pollEvents);
        if (multishot) sqes.set(ValueLayout.JAVA_INT, at + LEN, POLL_ADD_MULTI);
    }

    /** shutdown(fd, how) through the ring (5.11). */
    public static void shutdown(MemorySegment sqes, long at, int fd, int how, long userData) {
        common(sqes, at, OP_SHUTDOWN, fd, userData);
        sqes.set(ValueLayout.JAVA_INT, at + LEN, how);
    }
}
