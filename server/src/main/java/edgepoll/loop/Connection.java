package edgepoll.loop;

import edgepoll.proto.Exchange;

/**
 * One accepted TCP connection of an event loop: its {@link Exchange} (the bytes, as the protocol
 * sees them) plus what the loop keeps about the socket. A final class with no behaviour of its own,
 * owned by its loop thread and reused for the next connection that gets the same fd number.
 *
 * <p>{@code generation} grows by one each time the slot is given to a newly accepted socket; it
 * travels in the readiness token next to the fd ({@link edgepoll.kernel.Token}), so an event queued
 * for an earlier connection on the same number is dropped ({@link ConnectionTable#lookup}). Buffers
 * are lent by the loop's {@link edgepoll.worker.BufferPool} only while bytes are in flight.
 */
final class Connection extends Exchange {
    /** FREE: no socket (never opened, or closed after a batch). CLOSED: marked, its fd closes after the batch. */
    static final int FREE = 0, OPEN = 1, LINGERING = 2, CLOSED = 3;

    final int fd;
    int generation;
    int state = FREE;
    /** The interest the readiness backend holds for this fd, null before it is registered (changes are skipped when it would not change). */
    Interest registered;

    /** ET: reading stopped before the drain was over, so the kernel owes no new edge; the loop must read again. */
    boolean readOwed;
    /** ET: on the loop's owed queue. */
    boolean owed;
    /** Peer sent FIN (read returned 0). */
    boolean peerClosed;
    /** EPOLLRDHUP was seen: a short read no longer proves the buffer empty (ET short-read drains to EOF). */
    boolean rdhup;
    boolean corked;
    /** For the JFR close event: bytes read and sent on this connection, and why it closes (null until marked). */
    long bytesIn, bytesOut;
    String closeReason;

    /** Intrusive timer list links (see TimerList); deadline in loop milliseconds. */
    Connection prev, next;
    TimerList timerList;
    long deadline;

    Connection(int fd) {
        this.fd = fd;
    }

    /** Open or lingering: its fd is this connection's, and events for it may be acted on. */
    boolean live() {
        return state == OPEN || state == LINGERING;
    }

    /** Resets per-connection state for a newly accepted socket on this fd. */
    void open() {
        state = OPEN;
        generation++;
        registered = null;
        resetBytes();
        exchanges = 0;
        bytesIn = bytesOut = 0;
        closeReason = null;
        readOwed = owed = peerClosed = rdhup = closeAfterFlush = corked = false;
    }
}
