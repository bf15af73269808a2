package edgepoll.config;

/**
 * Every {@code --listener}: how several epoll loops share the port (docs/many-loops.md). Printed
 * back as the flag's word ({@link #toString()}).
 */
public enum ListenerMode {
    /** A listening socket per loop, SO_REUSEPORT: the kernel picks the loop. */
    REUSEPORT,
    /** One listening socket in every loop's epoll: each arrival wakes them all (the herd). */
    SHARED,
    /** The same, registered EPOLLEXCLUSIVE: each arrival wakes one or a few. */
    EXCLUSIVE;

    /** The flag's word: reuseport, shared, exclusive. */
    @Override
    public String toString() {
        return Flags.spelling(this);
    }
}
