package edgepoll.kernel;

import edgepoll.stats.SyscallLatency;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.Sys;
import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.SyscallException;
import edgepoll.sys.uring.BufferRing;
import edgepoll.sys.uring.Ring;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Net;
import edgepoll.sys.Syscalls;
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
 * <p><b>Timing.</b> With {@code --trace} (a {@link SyscallRecorder}) or {@code --syscall-latency}
 * (a {@link SyscallLatency} in the counters) each call is bracketed by two {@link System#nanoTime()}
 * reads and handed to them. Without either, {@code timed} is false and each call pays one
 * predictable branch on a final field before and one after; nothing is allocated.
 *
 * <p>Owned by one thread. Its capture segment and scratch come from that thread's confined arena
 * and die with it.
 */
public final class LoopSyscalls {
    public final SyscallCounters counters;
    /** Non-null with --trace: records the syscalls (text: of the first connections). */
    public final SyscallRecorder tracer;
    /** Non-null with --syscall-latency: the counters' histograms of each call's duration. */
    private final SyscallLatency latency;
    private final boolean timed;
    private final MemorySegment cs;
    private final MemorySegment intScratch;
    private final MemorySegment timeval;

    public LoopSyscalls(Arena arena, SyscallRecorder tracer) {
        this(arena, tracer, false);
    }

    public LoopSyscalls(Arena arena, SyscallRecorder tracer, boolean syscallLatency) {
        this.counters = new SyscallCounters(syscallLatency);
        this.tracer = tracer;
        this.latency = counters.latency();
        this.timed = tracer != null || latency != null;
        this.cs = CallState.allocate(arena);
        this.intScratch = arena.allocate(ValueLayout.JAVA_INT);
        this.timeval = edgepoll.sys.TimeVal.allocate(arena);
    }

    private long start() {
        return timed ? System.nanoTime() : 0L;
    }

    /** After a timed call: its latency, and the recorder's plain record ({@link SyscallRecorder#call}). */
    private void done(Sys kind, int fd, long n, long rc, long t0) {
        done(kind, fd, n, rc, t0, System.nanoTime());
    }

    private void done(Sys kind, int fd, long n, long rc, long t0, long t1) {
        if (latency != null) latency.record(kind, rc, t1 - t0);
        if (tracer != null) tracer.call(kind, fd, n, rc, t0, t1);
    }

    /** After a timed call the recorder is told about by a call of its own: returns the end time. */
    private long lap(Sys kind, long rc, long t0) {
        long t1 = System.nanoTime();
        if (latency != null) latency.record(kind, rc, t1 - t0);
        return t1;
    }

    public int epollCreate1() {
        long t0 = start();
        int rc = Syscalls.epollCreate1(cs, Epoll.EPOLL_CLOEXEC);
        counters.count(Sys.EPOLL_CREATE1, rc);
        if (timed) done(Sys.EPOLL_CREATE1, -1, -1, rc, t0);
        return rc;
    }

    public int epollWait(int epfd, EpollEvents events, int max, int timeoutMs) {
        long t0 = start();
        int rc = Syscalls.epollWait(cs, epfd, events.segment(), max, timeoutMs);
        counters.countWait(rc);
        if (timed) {
            long t1 = lap(Sys.EPOLL_WAIT, rc, t0);
            if (tracer != null) tracer.epollWait(epfd, events, max, timeoutMs, rc, t0, t1);
        }
        return rc;
    }

    public int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        long t0 = start();
        int rc = Syscalls.epollCtl(cs, epfd, op, fd, event);
        Sys kind = op == Epoll.EPOLL_CTL_ADD ? Sys.EPOLL_CTL_ADD : op == Epoll.EPOLL_CTL_MOD ? Sys.EPOLL_CTL_MOD : Sys.EPOLL_CTL_DEL;
        counters.count(kind, rc);
        if (timed) {
            long t1 = lap(kind, rc, t0);
            if (tracer != null) {
                int mask = event.address() == 0 ? 0 : event.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                tracer.epollCtl(epfd, op, fd, mask, rc, t0, t1);
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
        long t0 = start();
        int rc = Syscalls.accept4(cs, listenFd, MemorySegment.NULL, MemorySegment.NULL, flags);
        counters.count(Sys.ACCEPT4, rc);
        if (timed) {
            long t1 = lap(Sys.ACCEPT4, rc, t0);
            if (tracer != null) tracer.accept(listenFd, flags, rc, t0, t1);
        }
        return rc;
    }

    /** read(fd, buf + offset, n). */
    public long read(int fd, MemorySegment buf, long offset, long n) {
        long t0 = start();
        long rc = Syscalls.readAt(cs, fd, buf, offset, n);
        counters.countBytes(Sys.READ, rc, n);
        if (timed) done(Sys.READ, fd, n, rc, t0);
        return rc;
    }

    /**
     * read(fd, counter, 8) of an eventfd: a read call like any other for the counters and strace,
     * but its 8 bytes are a counter, not connection data, so they stay out of the byte count.
     */
    public long readCounter(int fd, MemorySegment counter) {
        long t0 = start();
        long rc = Syscalls.readAt(cs, fd, counter, 0, 8);
        counters.count(Sys.READ, rc);
        if (timed) done(Sys.READ, fd, 8, rc, t0);
        return rc;
    }

    /** send(fd, buf, n, MSG_NOSIGNAL): a write to a reset peer returns -EPIPE instead of raising SIGPIPE. */
    public long send(int fd, MemorySegment buf, long offset, long n) {
        long t0 = start();
        long rc = Syscalls.sendAt(cs, fd, buf, offset, n, Net.MSG_NOSIGNAL);
        counters.countBytes(Sys.SEND, rc, n);
        if (timed) done(Sys.SEND, fd, n, rc, t0);
        return rc;
    }

    public int shutdown(int fd, int how) {
        long t0 = start();
        int rc = Syscalls.shutdown(cs, fd, how);
        counters.count(Sys.SHUTDOWN, rc);
        if (timed) {
            long t1 = lap(Sys.SHUTDOWN, rc, t0);
            if (tracer != null) tracer.shutdown(fd, how, rc, t0, t1);
        }
        return rc;
    }

    public int setIntOption(int fd, int level, int name, int value) {
        long t0 = start();
        intScratch.set(ValueLayout.JAVA_INT, 0, value);
        int rc = Syscalls.setsockopt(cs, fd, level, name, intScratch, 4);
        counters.count(Sys.SETSOCKOPT, rc);
        if (timed) {
            long t1 = lap(Sys.SETSOCKOPT, rc, t0);
            if (tracer != null) tracer.setsockopt(fd, level, name, value, rc, t0, t1);
        }
        return rc;
    }

    public int poll(edgepoll.sys.PollFds fds, int n, int timeoutMs) {
        long t0 = start();
        int rc = Syscalls.poll(cs, fds.segment(), n, timeoutMs);
        counters.count(Sys.POLL, rc);
        if (timed) done(Sys.POLL, -1, n, rc, t0);
        return rc;
    }

    /** SO_RCVTIMEO as a struct timeval (seed 000's settimeout). */
    public int setReceiveTimeout(int fd, long ms) {
        long t0 = start();
        MemorySegment tv = timeval;
        edgepoll.sys.TimeVal.set(tv, ms);
        int rc = Syscalls.setsockopt(cs, fd, Net.SOL_SOCKET, Net.SO_RCVTIMEO, tv, (int) tv.byteSize());
        counters.count(Sys.SETSOCKOPT, rc);
        if (timed) {
            long t1 = lap(Sys.SETSOCKOPT, rc, t0);
            if (tracer != null) tracer.setsockopt(fd, Net.SOL_SOCKET, Net.SO_RCVTIMEO, ms, rc, t0, t1);
        }
        return rc;
    }

    /** eventfd(0, flags). */
    public int eventfd(int flags) {
        long t0 = start();
        int rc = Syscalls.eventfd(cs, 0, flags);
        counters.count(Sys.EVENTFD2, rc);
        if (timed) done(Sys.EVENTFD2, -1, -1, rc, t0);
        return rc;
    }

    /**
     * io_uring_setup through {@link Ring#open}: counts every io_uring_setup it made (more than one
     * when the kernel refused optional flags). A refusal (EPERM, ENOSYS) is counted once and thrown.
     * Timed as one: Ring.open's calls cannot be told apart from here, so with several each gets an
     * equal share of the whole (the mmaps of the rings included).
     */
    public Ring uringSetup(int entries, int flags, int sqThreadIdleMs) throws SyscallException {
        long t0 = start();
        Ring r;
        try {
            r = Ring.open(entries, flags, sqThreadIdleMs);
        } catch (SyscallException e) {
            counters.count(Sys.IO_URING_SETUP, -e.errno());
            if (timed) done(Sys.IO_URING_SETUP, -1, -1, -e.errno(), t0);
            throw e;
        }
        int calls = r.setupCalls();
        long t1 = timed ? System.nanoTime() : 0L;
        for (int i = 0; i < calls; i++) {
            int rc = i < calls - 1 ? -Errno.EINVAL : r.fd();
            counters.count(Sys.IO_URING_SETUP, rc);
            if (timed) done(Sys.IO_URING_SETUP, -1, -1, rc, t1 - (t1 - t0) * (calls - i) / calls, t1 - (t1 - t0) * (calls - i - 1) / calls);
        }
        return r;
    }

    /** A provided-buffer ring registered on {@code ring} (one io_uring_register; timed with its allocation and mmap). */
    public BufferRing uringRegisterBuffers(Ring ring, short group, int count, int size) throws SyscallException {
        long t0 = start();
        try {
            BufferRing b = BufferRing.register(ring, group, count, size);
            counters.count(Sys.IO_URING_REGISTER, 0);
            if (timed) done(Sys.IO_URING_REGISTER, ring.fd(), -1, 0, t0);
            return b;
        } catch (SyscallException e) {
            counters.count(Sys.IO_URING_REGISTER, -e.errno());
            if (timed) done(Sys.IO_URING_REGISTER, ring.fd(), -1, -e.errno(), t0);
            throw e;
        }
    }

    /** Unregisters and frees {@code buffers} (one io_uring_register while the ring is open; timed with the freeing). */
    public void uringUnregisterBuffers(Ring ring, BufferRing buffers) {
        long t0 = start();
        boolean open = ring.isOpen();
        int fd = open ? ring.fd() : -1;
        buffers.close();
        if (!open) return;
        counters.count(Sys.IO_URING_REGISTER, 0);
        if (timed) done(Sys.IO_URING_REGISTER, fd, -1, 0, t0);
    }

    /** Closes {@code ring}: its munmaps (not counted: not a loop syscall we trace; timed with the close) and the close of its fd. */
    public void uringClose(Ring ring) {
        if (!ring.isOpen()) return;
        long t0 = start();
        int fd = ring.fd();
        ring.close();
        counters.count(Sys.CLOSE, 0);
        if (timed) done(Sys.CLOSE, fd, -1, 0, t0);
    }

    /**
     * One io_uring_enter, if the ring needs one: submits every queued SQE and waits for
     * {@code minComplete} completions, at most {@code timeoutNanos} (negative: no limit). Counted
     * (with the SQEs it consumed), timed and recorded only when the syscall was made (the recorder
     * gets the ring fd and the number of SQEs submitted). Returns its result, or 0 when none was made.
     */
    public int uringEnter(Ring ring, int minComplete, long timeoutNanos) {
        long t0 = start();
        long before = ring.enters();
        int rc = timeoutNanos < 0 ? ring.submitAndWait(minComplete) : ring.submitAndWait(minComplete, timeoutNanos);
        if (ring.enters() == before) return 0;
        counters.countEnter(rc);
        counters.countCqOverflow(rc, ring.cqOverflowPending(), ring.cqDropped());
        if (timed) {
            long t1 = lap(Sys.IO_URING_ENTER, rc, t0);
            if (tracer != null) tracer.uringEnter(ring.fd(), ring.lastToSubmit(), minComplete, ring.lastEnterFlags(), timeoutNanos, rc, t0, t1);
        }
        return rc;
    }

    public int close(int fd) {
        long t0 = start();
        int rc = Syscalls.close(cs, fd);
        counters.count(Sys.CLOSE, rc);
        if (timed) done(Sys.CLOSE, fd, -1, rc, t0);
        return rc;
    }
}
