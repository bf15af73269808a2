package edgepoll.kernel;

import edgepoll.config.TraceFormat;
import edgepoll.stats.Sys;
import edgepoll.sys.EpollEvents;

/**
 * What {@link LoopSyscalls} tells a {@code --trace} recorder about every syscall it makes: the
 * call's arguments, its result ({@code rc >= 0} or {@code -errno}) and its start and end
 * ({@link System#nanoTime()}). Each recorder decides what it keeps: {@link Tracer} the strace-like
 * lines of the first connections ({@code --trace-format text}), {@link PerfettoRecorder} a
 * timeline in Chrome trace-event JSON ({@code --trace-format perfetto}). Owned by the loop thread;
 * {@link #output()} is read after the thread ended.
 */
public interface SyscallRecorder {
    /** read, sendto, close, poll, eventfd2, epoll_create1: {@code fd} (-1 when the call has none) and {@code n} bytes asked (-1: none). */
    void call(Sys kind, int fd, long n, long rc, long t0, long t1);

    void accept(int listenFd, int flags, int rc, long t0, long t1);

    void epollCtl(int epfd, int op, int fd, int events, int rc, long t0, long t1);

    void epollWait(int epfd, EpollEvents events, int max, int timeoutMs, int rc, long t0, long t1);

    void shutdown(int fd, int how, int rc, long t0, long t1);

    void setsockopt(int fd, int level, int name, long value, int rc, long t0, long t1);

    /**
     * io_uring_enter on the ring {@code ringFd}: the SQEs it was asked to submit, the completions it
     * waited for, its flags and its timeout (negative: none).
     */
    void uringEnter(int ringFd, int toSubmit, int minComplete, int flags, long timeoutNanos, int rc, long t0, long t1);

    /** This loop's record: text lines, or JSON trace events separated by commas. */
    String output();

    /** {@code text} or {@code perfetto}: the recorder {@code --trace-format} names. */
    static SyscallRecorder create(TraceFormat format, int loop, int tid, int connections) {
        return switch (format) {
            case PERFETTO -> new PerfettoRecorder(loop, tid, connections);
            case TEXT -> new Tracer(loop, connections);
        };
    }
}
