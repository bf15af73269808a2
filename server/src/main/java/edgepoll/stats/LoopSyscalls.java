package edgepoll.stats;

import edgepoll.sys.CallState;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Net;
import edgepoll.sys.Errno;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.sys.uring.BufferRing;
import edgepoll.sys.uring.Ring;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The one door through which an event loop, a blocking model's thread or the virtual-thread
 * poller reaches the kernel: every syscall such a thread makes goes through one method here, which
 * makes exactly one syscall through {@link Syscalls} and counts it in this thread's
 * {@link SyscallCounters}, so the counters equal what strace sees for the thread. Results are
 * {@code rc >= 0} or {@code -errno}. Two calls are not here: the write that wakes a loop, made by
 * the thread that asks, not by the loop; and the gettid each thread makes once at start, which the
 * JVM also makes on every new thread, so no counter could equal what strace sees for it.
 *
 * <p>Owned by one thread. Its capture segment and scratch come from that thread's confined arena
 * and die with it.
 */
public final class LoopSyscalls {
    public final SyscallCounters counters = new SyscallCounters();
    /** Non-null with --trace: records the syscalls of the first connections. */
    public final Tracer tracer;
    private final MemorySegment cs;
    private final MemorySegment intScratch;

    public LoopSyscalls(Arena arena, Tracer tracer) {
        this.tracer = tracer;
        this.cs = CallState.allocate(arena);
        this.intScratch = arena.allocate(ValueLayout.JAVA_INT);
        this.timeval = edgepoll.sys.TimeVal.allocate(arena);
    }

    public int epollCreate1() {
        int rc = Syscalls.epollCreate1(cs, Epoll.EPOLL_CLOEXEC);
        counters.count(Sys.EPOLL_CREATE1, rc);
        return rc;
    }

    public int epollWait(int epfd, EpollEvents events, int max, int timeoutMs) {
        int rc = Syscalls.epollWait(cs, epfd, events.segment(), max, timeoutMs);
        counters.countWait(rc);
        if (tracer != null) tracer.epollWait(epfd, events, max, timeoutMs, rc);
        return rc;
    }

    public int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        int rc = Syscalls.epollCtl(cs, epfd, op, fd, event);
        counters.count(op == Epoll.EPOLL_CTL_ADD ? Sys.EPOLL_CTL_ADD
                : op == Epoll.EPOLL_CTL_MOD ? Sys.EPOLL_CTL_MOD : Sys.EPOLL_CTL_DEL, rc);
        if (tracer != null && tracer.follows(fd)) {
            StringBuilder sb = tracer.begin();
            if (sb != null) {
                sb.append("epoll_ctl(").append(epfd).append(", EPOLL_CTL_").append(Epoll.ctlOp(op)).append(", ").append(fd)
                  .append(", {events=").append(Epoll.describe(event.get(ValueLayout.JAVA_INT_UNALIGNED, 0))).append("})");
                tracer.end(sb, rc);
            }
        }
        return rc;
    }

    /** accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC). */
    public int accept(int listenFd) {
        return accept(listenFd, Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC);
    }

    /** accept4(fd, NULL, NULL, flags): without SOCK_NONBLOCK for the blocking models. */
    public int accept(int listenFd, int flags) {
        int rc = Syscalls.accept4(cs, listenFd, MemorySegment.NULL, MemorySegment.NULL, flags);
        counters.count(Sys.ACCEPT4, rc);
        if (tracer != null && tracer.accepting()) {
            tracer.maybeFollow(rc);
            StringBuilder sb = tracer.begin();
            if (sb != null) {
                sb.append("accept4(").append(listenFd).append(", NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK)");
                tracer.end(sb, rc);
            }
        }
        return rc;
    }

    /** read(fd, buf + offset, n). */
    public long read(int fd, MemorySegment buf, long offset, long n) {
        long rc = Syscalls.readAt(cs, fd, buf, offset, n);
        counters.countBytes(Sys.READ, rc);
        if (tracer != null && tracer.follows(fd)) trace("read", fd, n, null, rc);
        return rc;
    }

    /**
     * read(fd, counter, 8) of an eventfd: a read call like any other for the counters and strace,
     * but its 8 bytes are a counter, not connection data, so they stay out of the byte count.
     */
    public long readCounter(int fd, MemorySegment counter) {
        long rc = Syscalls.readAt(cs, fd, counter, 0, 8);
        counters.count(Sys.READ, rc);
        return rc;
    }

    /** send(fd, buf, n, MSG_NOSIGNAL): a write to a reset peer returns -EPIPE instead of raising SIGPIPE. */
    public long send(int fd, MemorySegment buf, long offset, long n) {
        long rc = Syscalls.sendAt(cs, fd, buf, offset, n, Net.MSG_NOSIGNAL);
        counters.countBytes(Sys.SEND, rc);
        if (tracer != null && tracer.follows(fd)) trace("sendto", fd, n, "MSG_NOSIGNAL, NULL, 0", rc);
        return rc;
    }

    public int shutdown(int fd, int how) {
        int rc = Syscalls.shutdown(cs, fd, how);
        counters.count(Sys.SHUTDOWN, rc);
        if (tracer != null && tracer.follows(fd)) trace("shutdown", fd, -1, how == Net.SHUT_WR ? "SHUT_WR" : Integer.toString(how), rc);
        return rc;
    }

    public int setIntOption(int fd, int level, int name, int value) {
        intScratch.set(ValueLayout.JAVA_INT, 0, value);
        int rc = Syscalls.setsockopt(cs, fd, level, name, intScratch, 4);
        counters.count(Sys.SETSOCKOPT, rc);
        if (tracer != null && tracer.follows(fd)) {
            trace("setsockopt", fd, -1, (name == Net.TCP_CORK ? "IPPROTO_TCP, TCP_CORK, [" : level + ", " + name + ", [") + value + "], 4", rc);
        }
        return rc;
    }

    /** One trace line: {@code call(fd[, N][, rest]) = rc}. */
    private void trace(String call, int fd, long n, String rest, long rc) {
        StringBuilder sb = tracer.begin();
        if (sb == null) return;
        sb.append(call).append('(').append(fd);
        if (n >= 0) sb.append(", ").append(n);
        if (rest != null) sb.append(", ").append(rest);
        sb.append(')');
        tracer.end(sb, rc);
    }

    public int poll(edgepoll.sys.PollFds fds, int n, int timeoutMs) {
        int rc = Syscalls.poll(cs, fds.segment(), n, timeoutMs);
        counters.count(Sys.POLL, rc);
        return rc;
    }

    /** SO_RCVTIMEO as a struct timeval (seed 000's settimeout). */
    public int setReceiveTimeout(int fd, long ms) {
        MemorySegment tv = timeval;
        edgepoll.sys.TimeVal.set(tv, ms);
        int rc = Syscalls.setsockopt(cs, fd, Net.SOL_SOCKET, Net.SO_RCVTIMEO, tv, (int) tv.byteSize());
        counters.count(Sys.SETSOCKOPT, rc);
        return rc;
    }

    private final MemorySegment timeval;

    /** eventfd(0, flags). */
    public int eventfd(int flags) {
        int rc = Syscalls.eventfd(cs, 0, flags);
        counters.count(Sys.EVENTFD2, rc);
        return rc;
    }


    /**
     * io_uring_setup through {@link Ring#open}: counts every io_uring_setup it made (more than one
     * when the kernel refused optional flags). A refusal (EPERM, ENOSYS) is counted once and thrown.
     */
    public Ring uringSetup(int entries, int flags, int sqThreadIdleMs) throws SyscallException {
        Ring r;
        try {
            r = Ring.open(entries, flags, sqThreadIdleMs);
        } catch (SyscallException e) {
            counters.count(Sys.IO_URING_SETUP, -e.errno());
            throw e;
        }
        for (int i = 0; i < r.setupCalls(); i++) counters.count(Sys.IO_URING_SETUP, i < r.setupCalls() - 1 ? -Errno.EINVAL : r.fd());
        return r;
    }

    /** A provided-buffer ring registered on {@code ring} (one io_uring_register). */
    public BufferRing uringRegisterBuffers(Ring ring, short group, int count, int size) throws SyscallException {
        try {
            BufferRing b = BufferRing.register(ring, group, count, size);
            counters.count(Sys.IO_URING_REGISTER, 0);
            return b;
        } catch (SyscallException e) {
            counters.count(Sys.IO_URING_REGISTER, -e.errno());
            throw e;
        }
    }

    /** Unregisters and frees {@code buffers} (one io_uring_register while the ring is open). */
    public void uringUnregisterBuffers(Ring ring, BufferRing buffers) {
        if (ring.isOpen()) counters.count(Sys.IO_URING_REGISTER, 0);
        buffers.close();
    }

    /** Closes {@code ring}: its munmaps (not counted: not a loop syscall we trace) and the close of its fd. */
    public void uringClose(Ring ring) {
        if (!ring.isOpen()) return;
        int fd = ring.fd();
        ring.close();
        counters.count(Sys.CLOSE, 0);
        if (tracer != null && tracer.follows(fd)) tracer.unfollow(fd);
    }

    /**
     * One io_uring_enter, if the ring needs one: submits every queued SQE and waits for
     * {@code minComplete} completions, at most {@code timeoutNanos} (negative: no limit). Counted
     * (with the SQEs it consumed) only when the syscall was made. Returns its result, or 0 when
     * none was made.
     */
    public int uringEnter(Ring ring, int minComplete, long timeoutNanos) {
        long before = ring.enters();
        int rc = timeoutNanos < 0 ? ring.submitAndWait(minComplete) : ring.submitAndWait(minComplete, timeoutNanos);
        if (ring.enters() == before) return 0;
        counters.countEnter(rc);
        if (tracer != null && tracer.followsAny()) {
            StringBuilder sb = tracer.begin();
            if (sb != null) {
                sb.append("io_uring_enter(").append(ring.fd()).append(", ").append(ring.lastToSubmit()).append(", ")
                  .append(minComplete).append(", 0x").append(Integer.toHexString(ring.lastEnterFlags()))
                  .append(timeoutNanos < 0 ? ", NULL, 0)" : ", {ts=" + timeoutNanos / 1000 + "us}, 24)");
                tracer.end(sb, rc);
            }
        }
        return rc;
    }

    public int close(int fd) {
        int rc = Syscalls.close(cs, fd);
        counters.count(Sys.CLOSE, rc);
        if (tracer != null && tracer.follows(fd)) {
            trace("close", fd, -1, null, rc);
            tracer.unfollow(fd);
        }
        return rc;
    }
}
