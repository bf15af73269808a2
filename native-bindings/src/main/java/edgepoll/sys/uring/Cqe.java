package edgepoll.sys.uring;

import edgepoll.sys.gen.LibC;

/** Reads a completion's {@code flags} word (see {@link Ring.CompletionHandler}). */
public final class Cqe {
    private Cqe() {}

    /** The CQE carries a provided-buffer id in its upper 16 bits. */
    public static final int F_BUFFER = LibC.IORING_CQE_F_BUFFER();
    /** A multishot request stays armed: more CQEs will come for the same user_data. */
    public static final int F_MORE = LibC.IORING_CQE_F_MORE();
    /** After a recv: the socket still had data queued. */
    public static final int F_SOCK_NONEMPTY = LibC.IORING_CQE_F_SOCK_NONEMPTY();
    private static final int BUFFER_SHIFT = LibC.IORING_CQE_BUFFER_SHIFT();

    public static boolean hasMore(int flags) {
        return (flags & F_MORE) != 0;
    }

    public static boolean hasBuffer(int flags) {
        return (flags & F_BUFFER) != 0;
    }

    /** The provided-buffer id of a CQE with {@link #F_BUFFER}, else -1. */
    public static int bufferId(int flags) {
        return (flags & F_BUFFER) != 0 ? flags >>> BUFFER_SHIFT : -1;
    }
}
