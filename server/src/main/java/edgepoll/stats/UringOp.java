package edgepoll.stats;

/**
 * The io_uring operations the uring mode submits, as counted by {@link SyscallCounters}: SQEs
 * prepared, CQEs reaped and CQE errors by errno for each. They are not syscalls (strace sees only
 * the io_uring_enter that carries them), so they are counted apart from {@link Sys}.
 */
public enum UringOp {
    ACCEPT("accept"),
    RECV("recv"),
    SEND("send"),
    CLOSE("close"),
    CANCEL("async_cancel"),
    POLL("poll_add"),
    SHUTDOWN("shutdown");

    /** The opcode's name without IORING_OP_, lower case. */
    public final String opName;

    UringOp(String opName) {
        this.opName = opName;
    }

    public static final UringOp[] ALL = values();
    static final int COUNT = ALL.length;
}
