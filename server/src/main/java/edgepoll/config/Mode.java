package edgepoll.config;

import java.util.List;

/**
 * Every {@code --mode}, edge-triggered epoll first and the seeds' first server last, parsed once
 * from its flag word and printed back as the same word ({@link #toString()}: et, lt, poll,
 * busy-poll, blocking, threads, virtual-threads, uring). Code that picks what to run switches over
 * it exhaustively (Server, Loops.create, {@link Options#drainPolicy()}), so a new mode does not
 * compile until every one of them says what it does with it.
 */
public enum Mode {
    /** epoll, edge-triggered, drained by the --drain policy. */
    ET,
    /** epoll, level-triggered (seed 001's server). */
    LT,
    /** poll(2): the whole fd list handed to the kernel on every wait. */
    POLL,
    /** No readiness API: try every fd each sweep (seeds 002/003). */
    BUSY_POLL,
    /** One connection at a time, blocking calls (the seeds' first server). */
    BLOCKING,
    /** A platform thread per connection. */
    THREADS,
    /** A virtual thread per connection. */
    VIRTUAL_THREADS,
    /** io_uring: completions, not readiness. */
    URING;

    /** Every mode in declaration order (the order --help and the docs list them in). */
    public static final List<Mode> ALL = List.of(values());

    /** blocking, threads and virtual-threads: one blocking call sequence per connection, no readiness API. */
    public boolean blockingModel() {
        return switch (this) {
            case BLOCKING, THREADS, VIRTUAL_THREADS -> true;
            case ET, LT, POLL, BUSY_POLL, URING -> false;
        };
    }

    /** The flag's word: et, lt, poll, busy-poll, blocking, threads, virtual-threads, uring. */
    @Override
    public String toString() {
        return Flags.spelling(this);
    }
}
