package edgepoll.kernel;

/**
 * What an event loop stores in {@code epoll_data.u64} (and its other backends' token): the fd in
 * the low 32 bits and the connection's generation in the high 32, so an event queued for an
 * earlier connection on a reused fd number is recognised and dropped. Shared by the loop that
 * makes tokens and the tracer that prints them.
 */
public final class Token {
    private Token() {}

    public static long of(int fd, int generation) {
        return (fd & 0xFFFF_FFFFL) | ((long) generation << 32);
    }

    public static int fd(long token) {
        return (int) token;
    }

    public static int generation(long token) {
        return (int) (token >>> 32);
    }
}
