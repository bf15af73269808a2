package edgepoll.load;

/**
 * One client connection of a generator thread: its fd, where it is in its life, and the requests
 * it has in flight. Plain fields, touched by the owning {@link LoadThread} only.
 *
 * <p>{@code starts} is a ring of the in-flight requests' start times, oldest first: the time each
 * was sent (closed loop) or was due to be sent (open loop), so a response's latency is one
 * subtraction and no object is made per request.
 */
final class LoadConnection {
    static final int DOWN = 0, CONNECTING = 1, UP = 2;

    /** Index in the thread's table; with the generation it forms the epoll data. */
    final int index;
    final long[] starts;
    final HttpResponseParser http;
    int fd = -1;
    int state = DOWN;
    /** Bumped at every (re)connect, so a stale event for an earlier fd is dropped. */
    int generation;
    /** The epoll mask the kernel holds for {@link #fd}. */
    int registered;
    /** When a DOWN connection may try again (System.nanoTime()). */
    long retryAt;
    int head;
    int inFlight;
    /** Bytes of the in-flight requests not yet accepted by send(2). */
    long unsent;
    /** Open loop: requests assigned to this connection so far; they are sent in order. */
    long assigned;
    /** Open loop: requests of {@link #assigned} that were sent (or lost with a closed connection). */
    long sent;
    /** Echo: bytes of the current message received so far, and whether any of them was wrong. */
    int echoed;
    boolean echoBad;
    /** On the thread's list of connections to send on at the end of the wake-up. */
    boolean queued;

    LoadConnection(int index, int pipeline, boolean http) {
        this.index = index;
        this.starts = new long[pipeline];
        this.http = http ? new HttpResponseParser() : null;
    }

    long tag() {
        return (index & 0xFFFF_FFFFL) | ((long) generation << 32);
    }

    void push(long start) {
        int tail = head + inFlight;
        starts[tail >= starts.length ? tail - starts.length : tail] = start;
        inFlight++;
    }

    /** Removes the oldest in-flight request and returns its start time. */
    long pop() {
        long start = starts[head];
        head = head + 1 == starts.length ? 0 : head + 1;
        inFlight--;
        return start;
    }

    /** After a close: what was in flight is lost; the next connection starts clean. */
    void forget() {
        head = 0;
        inFlight = 0;
        unsent = 0;
        echoed = 0;
        echoBad = false;
        if (http != null) http.reset();
    }
}
