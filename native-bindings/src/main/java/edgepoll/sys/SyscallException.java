package edgepoll.sys;

import java.io.IOException;

/**
 * A failed syscall, named as a person needs it: {@code epoll_ctl(ADD, fd=7): Bad file descriptor
 * (EBADF)}. Built only off the hot path; the hot path handles {@code -errno} results as ints.
 */
public final class SyscallException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The positive errno value. */
    private final int errno;

    /** @param call the call and the arguments that matter, e.g. {@code "bind(127.0.0.1:8080)"} */
    public SyscallException(String call, int errno) {
        super(call + ": " + Errno.describe(errno));
        this.errno = Math.abs(errno);
    }

    public int errno() {
        return errno;
    }

    /** Returns {@code rc} when it is {@code >= 0}, else throws for {@code -rc}. For cold paths only. */
    public static int check(String call, int rc) throws SyscallException {
        if (rc < 0) {
            throw new SyscallException(call, -rc);
        }
        return rc;
    }
}
