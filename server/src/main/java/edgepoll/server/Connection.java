package edgepoll.server;

import java.lang.foreign.MemorySegment;

/**
 * One accepted TCP connection's state: a small final class with no behaviour of its own, owned by
 * its loop thread and reused for the next connection that gets the same fd number.
 *
 * <p>{@code generation} grows each time the fd is closed; it travels in {@code epoll_data.u64} next
 * to the fd (Poller.tag), so an event queued for an earlier connection on the same number is
 * dropped. Buffers are lent by the loop's {@link BufferPool} only while bytes are in flight:
 * {@code in} holds received bytes {@code [inPos, inLen)} not yet consumed, {@code out} holds reply
 * bytes {@code [outPos, outLen)} not yet sent, and a large HTTP body is sent straight from the
 * loop's shared read-only body segment by the {@code bodySent/bodyLength} cursor.
 */
final class Connection {
    static final int FREE = 0, OPEN = 1, LINGERING = 2, CLOSED = 3;

    final int fd;
    int generation;
    int state = FREE;
    /** The mask the kernel holds for this fd (epoll_ctl calls are skipped when it would not change). */
    int registered;

    MemorySegment in;
    int inPos, inLen;
    MemorySegment out;
    int outPos, outLen;
    /** A reply body sent by cursor straight from a segment the connection does not own (shared body, stats). */
    MemorySegment body;
    long bodySent, bodyLength;
    /** HTTP request body bytes still to be read and discarded. */
    long discard;

    /** ET: reading stopped before EAGAIN, so the kernel owes no new edge; the loop must read again. */
    boolean readOwed;
    /** ET: on the loop's owed queue. */
    boolean owed;
    /** Peer sent FIN (read returned 0) or EPOLLRDHUP was seen. */
    boolean peerClosed;
    boolean rdhup;
    /** Close once every queued reply is sent (Connection: close, HTTP/1.0, errors, echo EOF). */
    boolean closeAfterFlush;
    boolean corked;
    /** Requests served on this connection (for HTTP keep-alive accounting). */
    long requests;

    /** Position in the loop's dense list of open connections (poll and busy-poll visit it). */
    int activeIndex;

    /** Intrusive timer list links (see TimerList); deadline in loop milliseconds. */
    Connection prev, next;
    TimerList timerList;
    long deadline;

    Connection(int fd) {
        this.fd = fd;
    }

    boolean outputPending() {
        return outPos < outLen || bodySent < bodyLength;
    }

    int buffered() {
        return inLen - inPos;
    }

    /** Resets per-connection state for a newly accepted socket on this fd. */
    void open() {
        state = OPEN;
        registered = 0;
        inPos = inLen = outPos = outLen = 0;
        bodySent = bodyLength = discard = requests = 0;
        body = null;
        readOwed = owed = peerClosed = rdhup = closeAfterFlush = corked = false;
    }
}
