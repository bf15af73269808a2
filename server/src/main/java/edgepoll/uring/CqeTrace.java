package edgepoll.uring;

import edgepoll.stats.UringOp;

/**
 * --trace for the ring, told about every SQE queued and every CQE reaped: {@link CqeText} writes
 * the strace-like lines ({@code --trace-format text}), {@link CqeTimeline} the Perfetto slices and
 * arrows ({@code --trace-format perfetto}). The enters are LoopSyscalls'. Null when not tracing:
 * the loop's only cost then is a check of a final field. Owned by the loop thread.
 */
interface CqeTrace {
    /** An SQE with {@code userData} was queued, on connection {@code fd} (-1: the loop's own request). */
    void queued(long userData, int fd);

    /** Before a CQE is handled: the request's connection ({@code c}, null for the loop's own), its result and flags. */
    void completed(long userData, UringOp op, UringConnection c, int res, int flags);

    /** After the CQE last passed to {@link #completed} was handled. */
    void handled();

    /** A connection was accepted on the listener. */
    void accepted(int listenFd, UringConnection c);

    /** The connection's close completed: its fd number may be reused from now on. */
    void closed(UringConnection c);
}
