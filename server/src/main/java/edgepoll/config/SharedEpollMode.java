package edgepoll.config;

/**
 * Every {@code --shared-epoll}: off, or the loops' threads waiting on ONE epoll instance (--mode et),
 * connections registered EPOLLET|EPOLLONESHOT (oneshot) or EPOLLET alone (plain: shows two threads
 * on one connection). Printed back as the flag's word ({@link #toString()}).
 */
public enum SharedEpollMode {
    OFF,
    ONESHOT,
    PLAIN;

    /** The flag's word: off, oneshot, plain. */
    @Override
    public String toString() {
        return Flags.spelling(this);
    }
}
