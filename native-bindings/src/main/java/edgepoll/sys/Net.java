package edgepoll.sys;

import edgepoll.sys.gen.LibC;

/**
 * Socket, TCP, fcntl, poll, eventfd, timerfd and rlimit constants, re-exported from the generated
 * bindings (never retyped; {@code AbiConformanceTest} compares them with the C headers).
 */
public final class Net {
    private Net() {}

    public static final int AF_INET = LibC.AF_INET();
    public static final int AF_INET6 = LibC.AF_INET6();
    public static final int SOCK_STREAM = LibC.SOCK_STREAM();
    public static final int SOCK_NONBLOCK = LibC.SOCK_NONBLOCK();
    public static final int SOCK_CLOEXEC = LibC.SOCK_CLOEXEC();
    public static final int SOL_SOCKET = LibC.SOL_SOCKET();
    public static final int SO_REUSEADDR = LibC.SO_REUSEADDR();
    public static final int SO_REUSEPORT = LibC.SO_REUSEPORT();
    public static final int SO_RCVBUF = LibC.SO_RCVBUF();
    public static final int SO_SNDBUF = LibC.SO_SNDBUF();
    public static final int SO_RCVTIMEO = LibC.SO_RCVTIMEO();
    public static final int SO_SNDTIMEO = LibC.SO_SNDTIMEO();
    public static final int SO_LINGER = LibC.SO_LINGER();
    public static final int SO_ERROR = LibC.SO_ERROR();
    public static final int SO_KEEPALIVE = LibC.SO_KEEPALIVE();
    public static final int SOMAXCONN = LibC.SOMAXCONN();
    public static final int MSG_NOSIGNAL = LibC.MSG_NOSIGNAL();
    public static final int MSG_WAITALL = LibC.MSG_WAITALL();
    public static final int MSG_DONTWAIT = LibC.MSG_DONTWAIT();
    public static final int MSG_PEEK = LibC.MSG_PEEK();
    public static final int SHUT_RD = LibC.SHUT_RD();
    public static final int SHUT_WR = LibC.SHUT_WR();
    public static final int SHUT_RDWR = LibC.SHUT_RDWR();
    public static final int IPPROTO_TCP = LibC.IPPROTO_TCP();
    public static final int IPPROTO_IPV6 = LibC.IPPROTO_IPV6();
    public static final int IPV6_V6ONLY = LibC.IPV6_V6ONLY();
    public static final int TCP_NODELAY = LibC.TCP_NODELAY();
    public static final int TCP_CORK = LibC.TCP_CORK();

    public static final int O_NONBLOCK = LibC.O_NONBLOCK();
    public static final int O_CLOEXEC = LibC.O_CLOEXEC();
    public static final int F_GETFL = LibC.F_GETFL();
    public static final int F_DUPFD_CLOEXEC = LibC.F_DUPFD_CLOEXEC();
    public static final int F_SETFL = LibC.F_SETFL();
    public static final int F_GETFD = LibC.F_GETFD();
    public static final int F_SETFD = LibC.F_SETFD();
    public static final int FD_CLOEXEC = LibC.FD_CLOEXEC();

    public static final short POLLIN = (short) LibC.POLLIN();
    public static final short POLLOUT = (short) LibC.POLLOUT();
    public static final short POLLERR = (short) LibC.POLLERR();
    public static final short POLLHUP = (short) LibC.POLLHUP();
    public static final short POLLNVAL = (short) LibC.POLLNVAL();
    public static final short POLLRDHUP = (short) LibC.POLLRDHUP();

    public static final int EFD_NONBLOCK = LibC.EFD_NONBLOCK();
    public static final int EFD_CLOEXEC = LibC.EFD_CLOEXEC();
    public static final int TFD_NONBLOCK = LibC.TFD_NONBLOCK();
    public static final int TFD_CLOEXEC = LibC.TFD_CLOEXEC();
    public static final int CLOCK_MONOTONIC = LibC.CLOCK_MONOTONIC();
    public static final int RLIMIT_NOFILE = LibC.RLIMIT_NOFILE();
}
