package edgepoll.sys;

import edgepoll.sys.gen.LibC;
import java.lang.foreign.MemorySegment;

/**
 * errno values re-exported from the generated bindings (never retyped), with their names and
 * strerror(3) texts cached once at class initialisation, so that describing an error later needs
 * no downcall and no lookup beyond an array index.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = LibC.EPERM();
    public static final int ENOENT = LibC.ENOENT();
    public static final int EINTR = LibC.EINTR();
    public static final int EIO = LibC.EIO();
    public static final int EBADF = LibC.EBADF();
    public static final int EAGAIN = LibC.EAGAIN();
    public static final int EWOULDBLOCK = LibC.EWOULDBLOCK();
    public static final int ENOMEM = LibC.ENOMEM();
    public static final int EACCES = LibC.EACCES();
    public static final int EFAULT = LibC.EFAULT();
    public static final int EEXIST = LibC.EEXIST();
    public static final int EINVAL = LibC.EINVAL();
    public static final int ENFILE = LibC.ENFILE();
    public static final int EMFILE = LibC.EMFILE();
    public static final int ENOSPC = LibC.ENOSPC();
    public static final int EPIPE = LibC.EPIPE();
    public static final int ENOSYS = LibC.ENOSYS();
    public static final int ENOTSOCK = LibC.ENOTSOCK();
    public static final int EOPNOTSUPP = LibC.EOPNOTSUPP();
    public static final int EPROTO = LibC.EPROTO();
    public static final int EADDRINUSE = LibC.EADDRINUSE();
    public static final int EADDRNOTAVAIL = LibC.EADDRNOTAVAIL();
    public static final int ENETDOWN = LibC.ENETDOWN();
    public static final int ENETUNREACH = LibC.ENETUNREACH();
    public static final int ECONNABORTED = LibC.ECONNABORTED();
    public static final int ECONNRESET = LibC.ECONNRESET();
    public static final int ENOBUFS = LibC.ENOBUFS();
    public static final int EISCONN = LibC.EISCONN();
    public static final int ENOTCONN = LibC.ENOTCONN();
    public static final int ETIMEDOUT = LibC.ETIMEDOUT();
    public static final int ECONNREFUSED = LibC.ECONNREFUSED();
    public static final int EHOSTUNREACH = LibC.EHOSTUNREACH();
    public static final int EALREADY = LibC.EALREADY();
    public static final int EINPROGRESS = LibC.EINPROGRESS();
    public static final int EAFNOSUPPORT = LibC.EAFNOSUPPORT();
    public static final int ETIME = LibC.ETIME();
    public static final int ECANCELED = LibC.ECANCELED();
    public static final int EBUSY = LibC.EBUSY();

    /** Errno values are small on Linux (asm-generic/errno.h ends at 133); larger ones print as numbers. */
    public static final int MAX = 160;

    private static final String[] NAMES = new String[MAX];
    private static final String[] MESSAGES = new String[MAX];

    static {
        // EWOULDBLOCK equals EAGAIN on Linux; the first name registered wins, so EAGAIN is listed first.
        String[] names = {"EAGAIN", "EWOULDBLOCK", "EPERM", "ENOENT", "EINTR", "EIO", "EBADF", "ENOMEM",
            "EACCES", "EFAULT", "EEXIST", "EINVAL", "ENFILE", "EMFILE", "ENOSPC", "EPIPE", "ENOSYS",
            "ENOTSOCK", "EOPNOTSUPP", "EPROTO", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH",
            "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ETIMEDOUT", "ECONNREFUSED",
            "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "EAFNOSUPPORT", "ETIME", "ECANCELED", "EBUSY"};
        int[] values = {EAGAIN, EWOULDBLOCK, EPERM, ENOENT, EINTR, EIO, EBADF, ENOMEM,
            EACCES, EFAULT, EEXIST, EINVAL, ENFILE, EMFILE, ENOSPC, EPIPE, ENOSYS,
            ENOTSOCK, EOPNOTSUPP, EPROTO, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN, ENETUNREACH,
            ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ETIMEDOUT, ECONNREFUSED,
            EHOSTUNREACH, EALREADY, EINPROGRESS, EAFNOSUPPORT, ETIME, ECANCELED, EBUSY};
        for (int i = 0; i < names.length; i++) {
            if (NAMES[values[i]] == null) {
                NAMES[values[i]] = names[i];
            }
        }
        // strerror(3) is not thread-safe in general; it is called here once, under class initialisation.
        for (int e = 1; e < MAX; e++) {
            MemorySegment text = LibC.strerror(e);
            MESSAGES[e] = text.reinterpret(256).getString(0);
        }
    }

    /** "EAGAIN" for 11; "errno 200" for a value without a name. Accepts a negated value too. */
    public static String name(int errno) {
        int e = Math.abs(errno);
        String n = e < MAX ? NAMES[e] : null;
        return n != null ? n : "errno " + e;
    }

    /** strerror(3) text, e.g. "Resource temporarily unavailable". Accepts a negated value too. */
    public static String message(int errno) {
        int e = Math.abs(errno);
        return e > 0 && e < MAX ? MESSAGES[e] : "Unknown error " + e;
    }

    /** "Address already in use (EADDRINUSE)": how edgepoll shows an errno to a person. */
    public static String describe(int errno) {
        return message(errno) + " (" + name(errno) + ")";
    }
}
