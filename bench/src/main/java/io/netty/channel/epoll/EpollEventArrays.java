package io.netty.channel.epoll;

/**
 * Netty's event array has a package-private constructor; the downcall benchmark needs one to call
 * Netty's public {@code Native.epollWait} exactly as Netty's event loop does. Lives in Netty's
 * package on the class path for that reason only.
 */
public final class EpollEventArrays {
    private EpollEventArrays() {}

    public static EpollEventArray create(int length) {
        return new EpollEventArray(length);
    }

    public static void free(EpollEventArray array) {
        array.free();
    }
}
