package edgepoll.kernel;

import edgepoll.stats.Sys;
import edgepoll.sys.EpollEvents;

/**
 * One recorder for the threads of a blocking model (the acceptor, every connection's thread, the
 * virtual-thread poller): each call is handed to {@code inner} under this object's lock, so the
 * record is one sequence in the order the calls returned, and a connection accepted on one thread
 * is followed on the thread that serves it. Only with {@code --trace}: the lock is never taken
 * otherwise. The lock is this object's monitor, so a caller may hold it around a syscall whose
 * record must not be overtaken (a connection's close, before its fd number can be accepted again).
 */
public final class SharedRecorder implements SyscallRecorder {
    private final SyscallRecorder inner;
    /** Another thread's record, written after this one's (see {@link #alsoOutput}); guarded by this. */
    private SyscallRecorder also;

    public SharedRecorder(SyscallRecorder inner) {
        this.inner = inner;
    }

    @Override
    public synchronized void call(Sys kind, int fd, long n, long rc, long t0, long t1) {
        inner.call(kind, fd, n, rc, t0, t1);
    }

    @Override
    public synchronized void accept(int listenFd, int flags, int rc, long t0, long t1) {
        inner.accept(listenFd, flags, rc, t0, t1);
    }

    @Override
    public synchronized void epollCtl(int epfd, int op, int fd, int events, int rc, long t0, long t1) {
        inner.epollCtl(epfd, op, fd, events, rc, t0, t1);
    }

    @Override
    public synchronized void epollWait(int epfd, EpollEvents events, int max, int timeoutMs, int rc, long t0, long t1) {
        inner.epollWait(epfd, events, max, timeoutMs, rc, t0, t1);
    }

    @Override
    public synchronized void shutdown(int fd, int how, int rc, long t0, long t1) {
        inner.shutdown(fd, how, rc, t0, t1);
    }

    @Override
    public synchronized void setsockopt(int fd, int level, int name, long value, int rc, long t0, long t1) {
        inner.setsockopt(fd, level, name, value, rc, t0, t1);
    }

    @Override
    public synchronized void uringEnter(int ringFd, int toSubmit, int minComplete, int flags, long timeoutNanos, int rc, long t0, long t1) {
        inner.uringEnter(ringFd, toSubmit, minComplete, flags, timeoutNanos, rc, t0, t1);
    }

    /** Appends {@code other}'s record to this one's {@link #output()} (a thread with a track of its own). */
    public synchronized void alsoOutput(SyscallRecorder other) {
        also = other;
    }

    @Override
    public synchronized String output() {
        return also == null ? inner.output() : inner.output() + also.output();
    }
}
