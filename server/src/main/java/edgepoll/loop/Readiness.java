package edgepoll.loop;

/**
 * How a loop learns which fds are ready: the one interface behind which epoll, poll(2) and the busy
 * sweep sit (Redis's {@code ae} has four verbs per backend: add, modify, remove, wait). Removal is
 * two verbs here, since an fd about to be closed ({@link #forgetBeforeClose}) and one that stays
 * open ({@link #unwatch}) cost differently under epoll, and a watched fd can be {@link #mute}d. A
 * backend knows fds, interests and tokens, nothing about connections, HTTP or buffers.
 *
 * <p>Interest is an {@link Interest} (never empty) and fired events are epoll's bits
 * ({@code EPOLLIN}, {@code EPOLLOUT}, {@code EPOLLRDHUP}; {@code EPOLLERR} and {@code EPOLLHUP}
 * may fire without being asked for), whatever the backend. Every backend makes its syscalls
 * through the loop's counted {@link edgepoll.kernel.LoopSyscalls}. Owned by the loop thread; the
 * arena it allocates from is the loop's.
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
    int add(int fd, Interest interest, long token);

    /** Changes what {@code fd} is watched for; 0 or -errno. The loop calls it only when the interest changes. */
    int modify(int fd, Interest interest, long token);

    /**
     * Keeps {@code fd} watched but reports no readiness for it (EPOLLERR and EPOLLHUP excepted,
     * which epoll and poll always report) until {@link #modify} gives it an interest again: a
     * paused listener. 0 or -errno; under epoll one epoll_ctl(MOD) with no event bits.
     */
    int mute(int fd, long token);

    /**
     * Stops watching {@code fd}, which stays open and may be {@link #add}ed again (a paused
     * EPOLLEXCLUSIVE listener, which MOD, and so {@link #mute}, cannot change); 0 or -errno.
     * Under epoll one epoll_ctl(DEL).
     */
    int unwatch(int fd);

    /**
     * The caller closes {@code fd} right after this: nothing is reported for it from then on. For
     * a backend whose list lives here (poll, the busy sweep) that is {@link #unwatch}; epoll
     * overrides it with nothing, no syscall, since the close itself removes the fd from its interest
     * list (epoll(7): once every fd referring to the open file is closed; a connection's fd has no dup).
     */
    default void forgetBeforeClose(int fd) {
        unwatch(fd);
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
