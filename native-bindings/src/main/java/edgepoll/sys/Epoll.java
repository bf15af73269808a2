package edgepoll.sys;

import edgepoll.sys.gen.LibC;

/**
 * epoll(7) constants re-exported from the generated bindings, and {@link #describe(int)} for
 * traces and assertion messages.
 */
public final class Epoll {
    private Epoll() {}

    public static final int EPOLLIN = LibC.EPOLLIN();
    public static final int EPOLLPRI = LibC.EPOLLPRI();
    public static final int EPOLLOUT = LibC.EPOLLOUT();
    public static final int EPOLLERR = LibC.EPOLLERR();
    public static final int EPOLLHUP = LibC.EPOLLHUP();
    public static final int EPOLLRDHUP = LibC.EPOLLRDHUP();
    public static final int EPOLLRDNORM = LibC.EPOLLRDNORM();
    public static final int EPOLLRDBAND = LibC.EPOLLRDBAND();
    public static final int EPOLLWRNORM = LibC.EPOLLWRNORM();
    public static final int EPOLLWRBAND = LibC.EPOLLWRBAND();
    public static final int EPOLLMSG = LibC.EPOLLMSG();
    public static final int EPOLLEXCLUSIVE = LibC.EPOLLEXCLUSIVE();
    public static final int EPOLLWAKEUP = LibC.EPOLLWAKEUP();
    public static final int EPOLLONESHOT = LibC.EPOLLONESHOT();
    public static final int EPOLLET = LibC.EPOLLET();

    public static final int EPOLL_CTL_ADD = LibC.EPOLL_CTL_ADD();
    public static final int EPOLL_CTL_MOD = LibC.EPOLL_CTL_MOD();
    public static final int EPOLL_CTL_DEL = LibC.EPOLL_CTL_DEL();
    public static final int EPOLL_CLOEXEC = LibC.EPOLL_CLOEXEC();

    private static final int[] BITS = {EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDNORM,
        EPOLLRDBAND, EPOLLWRNORM, EPOLLWRBAND, EPOLLMSG, EPOLLRDHUP, EPOLLEXCLUSIVE, EPOLLWAKEUP,
        EPOLLONESHOT, EPOLLET};
    private static final String[] NAMES = {"EPOLLIN", "EPOLLPRI", "EPOLLOUT", "EPOLLERR", "EPOLLHUP",
        "EPOLLRDNORM", "EPOLLRDBAND", "EPOLLWRNORM", "EPOLLWRBAND", "EPOLLMSG", "EPOLLRDHUP",
        "EPOLLEXCLUSIVE", "EPOLLWAKEUP", "EPOLLONESHOT", "EPOLLET"};

    /** {@code "EPOLLIN|EPOLLOUT|EPOLLRDHUP"}; unknown bits as hex; {@code "0"} for none. */
    public static String describe(int events) {
        StringBuilder sb = new StringBuilder();
        int rest = events;
        for (int i = 0; i < BITS.length; i++) {
            if ((events & BITS[i]) != 0) {
                if (!sb.isEmpty()) sb.append('|');
                sb.append(NAMES[i]);
                rest &= ~BITS[i];
            }
        }
        if (rest != 0) {
            if (!sb.isEmpty()) sb.append('|');
            sb.append("0x").append(Integer.toHexString(rest));
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }

    /** The name of an epoll_ctl op: "ADD", "MOD", "DEL". */
    public static String ctlOp(int op) {
        if (op == EPOLL_CTL_ADD) return "ADD";
        if (op == EPOLL_CTL_MOD) return "MOD";
        if (op == EPOLL_CTL_DEL) return "DEL";
        return Integer.toString(op);
    }
}
