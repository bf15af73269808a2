package edgepoll.loop;

import edgepoll.transport.Conn;

/**
 * One accepted TCP connection of an event loop: the transport's {@link Conn} (bytes, states,
 * timers) plus what only the readiness loops keep about the socket. A final class with no behaviour
 * of its own, owned by its loop thread and reused for the next connection that gets the same fd
 * number.
 *
 * <p>{@code generation} grows by one each time the slot is given to a newly accepted socket; it
 * travels in the readiness token next to the fd ({@link edgepoll.kernel.Token}), so an event queued
 * for an earlier connection on the same number is dropped ({@link ConnectionTable#lookup}). Buffers
 * are lent by the loop's {@link edgepoll.worker.BufferPool} only while bytes are in flight.
 */
final class Connection extends Conn {
    /** The interest the readiness backend holds for this fd, null before it is registered (changes are skipped when it would not change). */
    Interest registered;

    /** ET: reading stopped before the drain was over, so the kernel owes no new edge; the loop must read again. */
    boolean readOwed;
    /** ET: on the loop's owed queue. */
    boolean owed;
    /** EPOLLRDHUP was seen: a short read no longer proves the buffer empty (ET short-read drains to EOF). */
    boolean rdhup;

    Connection(int fd) {
        super(fd);
    }

    /** Resets per-connection state for a newly accepted socket on this fd. */
    void open() {
        reopen();
        generation++;
        registered = null;
        readOwed = owed = rdhup = false;
    }
}
