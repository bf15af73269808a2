package edgepoll.loop;

/**
 * How a loop learns which fds are ready: the one interface behind which epoll, poll(2) and the busy
 * sweep sit (Redis's {@code ae} has the same four verbs per backend: add, modify, remove, wait).
 * A backend knows fds, interest bits and tokens, nothing about connections, HTTP or buffers.
 *
 * <p>Interest and fired events are epoll's bits ({@code EPOLLIN}, {@code EPOLLOUT},
 * {@code EPOLLRDHUP}; {@code EPOLLERR} and {@code EPOLLHUP} may fire without being asked for),
 * whatever the backend. Every backend makes its syscalls through the loop's counted
 * {@link edgepoll.kernel.LoopSyscalls}. Owned by the loop thread; the arena it allocates from is the
 * loop's.
 *
 * <p>The wake eventfd (written by another thread to interrupt a wait) is given to the backend,
 * which watches it and reports it with the token {@link #WAKE}; the loop ignores that token.
 */
interface Readiness {
    /** Token of the wake eventfd. */
    long WAKE = -1L;
    /** Token the loop gives its listening socket. */
    long LISTENER = -2L;

    /** Starts watching {@code fd} for {@code interest}, reported with {@code token}; 0 or -errno. */
    int add(int fd, int interest, long token);

    /** Changes what {@code fd} is watched for; 0 or -errno. The loop calls it only when the interest changes. */
    int modify(int fd, int interest, long token);

    /** Stops watching {@code fd}; called before the fd is closed (closing alone is enough for epoll). */
    void remove(int fd);

    /**
     * Stops watching {@code fd} while it stays open (epoll_ctl DEL under epoll, where {@link #remove}
     * does nothing); 0 or -errno. Used for an EPOLLEXCLUSIVE listener, whose interest MOD cannot change.
     */
    default int unwatch(int fd) {
        remove(fd);
        return 0;
    }

    /**
     * Waits at most {@code timeoutMs} (-1: no limit; 0: do not block) and fills the fired list.
     * Returns how many fired, or -errno (EINTR is the caller's to retry).
     */
    int await(int timeoutMs);

    /** The token of the {@code i}-th fired fd of the last {@link #await}. */
    long token(int i);

    /** Its fired events, in epoll's bits. */
    int events(int i);

    /** Releases what the backend holds in the kernel (its epoll fd); the wake fd is not its own. */
    void close();
}
