package edgepoll.model;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.SyscallCounters;

import edgepoll.sys.CallState;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * What the JDK does under a virtual thread's blocking socket call (sun.nio.ch.Poller, on Linux
 * EPollPoller), done with edgepoll's syscalls so every step is counted: the socket is non-blocking;
 * a call that meets EAGAIN arms the fd in one shared epoll instance with EPOLLONESHOT (epoll_ctl ADD
 * the first time, MOD after, made and counted on the virtual thread) and parks; this platform thread
 * waits in epoll_wait and unparks the virtual thread whose fd became ready.
 *
 * <p>Owns the epoll fd and a wake eventfd, and its thread's arena; {@link #stop()} ends it.
 */
final class VirtualThreadPoller implements Runnable {
    private final ConcurrentHashMap<Integer, BlockingSession> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile int epfd = -1, wakeFd = -1;
    private volatile LoopSyscalls sys;
    private volatile boolean stopping;
    private final BlockingServer server;
    private Thread thread;

    private VirtualThreadPoller(BlockingServer server) {
        this.server = server;
    }

    static VirtualThreadPoller start(BlockingServer server) throws InterruptedException {
        VirtualThreadPoller p = new VirtualThreadPoller(server);
        p.thread = Thread.ofPlatform().daemon().name("edgepoll-vt-poller-" + server.index).start(p);
        p.started.await();
        return p;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            // gettid not counted (see LoopSyscalls); the recorder puts this thread's waits on a track of its own
            LoopSyscalls s = sys = new LoopSyscalls(arena, server.pollerRecorder(Syscalls.gettid()), server.options.syscallLatency());
            epfd = SyscallException.check("epoll_create1", s.epollCreate1());
            wakeFd = SyscallException.check("eventfd", s.eventfd(Net.EFD_NONBLOCK | Net.EFD_CLOEXEC));
            EpollEvents ctl = new EpollEvents(arena, 1);
            ctl.set(0, Epoll.EPOLLIN, wakeFd);
            s.epollCtl(epfd, Epoll.EPOLL_CTL_ADD, wakeFd, ctl.segment());
            EpollEvents ready = new EpollEvents(arena, 64);
            started.countDown();
            while (!stopping) {
                int n = s.epollWait(epfd, ready, ready.capacity(), -1);
                for (int i = 0; i < n; i++) {
                    int fd = (int) ready.u64(i);
                    BlockingSession session = fd == wakeFd ? null : waiting.remove(fd);
                    if (session != null) {
                        session.ready = true;
                        LockSupport.unpark(session.thread);
                    }
                }
            }
            s.close(epfd);
            s.close(wakeFd);
        } catch (SyscallException e) {
            throw new IllegalStateException(e);
        } finally {
            started.countDown();
        }
    }

    /**
     * Parks the calling (virtual) thread until {@code fd} is ready for {@code events} or
     * {@code timeoutNanos} pass (-1: no limit). Returns false on timeout.
     */
    boolean await(BlockingSession s, LoopSyscalls callerSys, int events, long timeoutNanos) {
        s.ready = false;
        waiting.put(s.fd, s);
        s.ctlEvent.set(0, events | Epoll.EPOLLONESHOT, s.fd);
        int rc = callerSys.epollCtl(epfd, s.registered ? Epoll.EPOLL_CTL_MOD : Epoll.EPOLL_CTL_ADD, s.fd, s.ctlEvent.segment());
        if (rc < 0) {
            waiting.remove(s.fd);
            return false;
        }
        s.registered = true;
        long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
        while (!s.ready) {
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    waiting.remove(s.fd);
                    return false;
                }
                LockSupport.parkNanos(this, left);
            }
        }
        return true;
    }

    SyscallCounters counters() {
        LoopSyscalls s = sys;
        return s == null ? new SyscallCounters() : s.counters;
    }

    void stop() {
        stopping = true;
        try (Arena a = Arena.ofConfined()) {
            Syscalls.write(CallState.allocate(a), wakeFd, a.allocateFrom(ValueLayout.JAVA_LONG, 1L), 8);
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
