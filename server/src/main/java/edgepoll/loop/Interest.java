package edgepoll.loop;

import edgepoll.sys.Epoll;

/**
 * What a {@link Readiness} backend watches an fd for, in epoll's bits: every interest the loops
 * ask for, and never none (pausing is {@link Readiness#mute}, stopping {@link Readiness#unwatch}
 * or {@link Readiness#forgetBeforeClose}, never an empty interest). Constants only, so choosing one
 * allocates nothing; a policy that needs another combination adds it here.
 */
enum Interest {
    /** Readable: a listener's connection to accept, the wake eventfd's count. */
    IN(Epoll.EPOLLIN),
    /** A listener registered {@code EPOLLEXCLUSIVE} ({@code --listener exclusive}): one waiter woken per arrival. */
    IN_EXCLUSIVE(Epoll.EPOLLIN | Epoll.EPOLLEXCLUSIVE),
    /** A connection's input, and the peer's half-close (LT while no output is pending). */
    IN_RDHUP(Epoll.EPOLLIN | Epoll.EPOLLRDHUP),
    /** Room to send (LT while output is pending). */
    OUT(Epoll.EPOLLOUT),
    /** Both directions, registered once for the connection's life (ET). */
    IN_OUT_RDHUP(Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP);

    /** The epoll bits; never 0. */
    final int bits;

    Interest(int bits) {
        this.bits = bits;
    }
}
