package edgepoll.server;

import edgepoll.sys.Epoll;
import edgepoll.sys.Errno;
import java.util.Arrays;

/**
 * The edge-triggered loop (seed 001, "Edge Triggered"; epoll(7)): every fd is registered once with
 * {@code EPOLLET}, and each readiness is drained until the kernel says EAGAIN, because no new
 * event comes for readiness the loop has already been told about.
 *
 * <p><b>The drain contract.</b> accept4 runs until EAGAIN; read runs until EAGAIN (or, with
 * {@code --drain short-read}, until a read returns fewer bytes than asked, which epoll(7) allows
 * for stream sockets, unless EPOLLRDHUP was seen: then to EOF); send runs until everything queued
 * is gone or EAGAIN. When the loop stops a drain early, it owes one: a per-wakeup budget
 * ({@link #READ_BUDGET} reads, {@link #ACCEPT_BUDGET} accepts) puts the connection or the listener
 * on the owed queue, and while anything is owed epoll_wait is called with timeout 0, so the loop
 * never sleeps on an edge it has not finished. Reading also stops while replies are pending
 * (backpressure); {@code readOwed} then resumes it when the EPOLLOUT edge drains the output.
 *
 * <p><b>EPOLLOUT is registered once</b>, with EPOLLIN and EPOLLRDHUP, never toggled: one epoll_ctl
 * per connection in its whole life. The price is wake-ups that carry EPOLLOUT when the send buffer
 * drains although nothing waits to be sent; they are mostly merged with the EPOLLIN of the next
 * request, and the dispatcher acts on {@code outputPending()}, not on the bit. Toggling would cost
 * two epoll_ctl(MOD) per blocked write instead (README, "EPOLLOUT under ET").
 */
final class EtLoop extends EventLoop {
    /** Reads per connection per wake-up before the rest is owed (fairness; Netty uses 16 messages). */
    static final int READ_BUDGET = 16;
    /** Accepts per wake-up before the rest is owed (RELIABILITY #4: an accept storm must not starve others). */
    static final int ACCEPT_BUDGET = 64;

    private Connection[] owedQueue = new Connection[64];
    private int owedCount;
    private boolean acceptOwed;

    EtLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd, wakeFd);
    }

    @Override
    int registerMask() {
        return Poller.ET_MASK;
    }

    @Override
    int listenMask() {
        return Epoll.EPOLLIN | Epoll.EPOLLET;
    }

    @Override
    boolean drainsToEagain() {
        return true;
    }

    @Override
    void onAcceptable() {
        acceptOwed = false;
        if (acceptPausedUntil >= 0) return;
        for (int k = 0; k < ACCEPT_BUDGET; k++) {
            int fd = sys.accept(listenFd);
            if (fd >= 0) {
                accepted(fd);
            } else if (fd == -Errno.EAGAIN || !acceptFailed(fd)) {
                return;
            }
        }
        acceptOwed = true;
    }

    /** Dispatch order: input first (reading may produce output), then output. ERR and HUP count as both. */
    @Override
    void onEvent(Connection c, int events) {
        if (events == Epoll.EPOLLOUT && !c.outputPending()) {
            sys.counters.idleWritableEvents++;
            return;
        }
        if ((events & Epoll.EPOLLRDHUP) != 0) c.rdhup = true;
        int errOrHup = events & (Epoll.EPOLLERR | Epoll.EPOLLHUP);
        if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP)) != 0 || errOrHup != 0) {
            onReadable(c);
        }
        if (c.state == Connection.OPEN && ((events & Epoll.EPOLLOUT) != 0 || errOrHup != 0) && c.outputPending()) {
            onWritable(c);
        }
    }

    void onReadable(Connection c) {
        if (c.state == Connection.LINGERING) {
            lingerRead(c);
            return;
        }
        for (int reads = 0; c.state == Connection.OPEN; ) {
            if (c.outputPending()) {
                c.readOwed = true;  // resumed by onWritable once the output drains
                return;
            }
            if (reads == READ_BUDGET) {
                owe(c);
                return;
            }
            long n = readSome(c);
            if (n > 0) {
                reads++;
                int asked = lastAsked;
                pump(c);
                if (options.shortRead() && n < asked && !c.rdhup) {
                    c.readOwed = false;  // a short read means the socket buffer was emptied
                    return;
                }
            } else if (n == 0) {
                c.readOwed = false;
                onEof(c);
                if (c.state == Connection.OPEN) pump(c);
                return;
            } else if (n == -Errno.EAGAIN) {
                c.readOwed = false;
                return;
            } else if (n != -Errno.EINTR) {
                closeNow(c);
                return;
            }
        }
    }

    void onWritable(Connection c) {
        if (pump(c) == DONE && c.readOwed && c.state == Connection.OPEN) {
            onReadable(c);
        }
    }

    private void owe(Connection c) {
        c.readOwed = true;
        if (c.owed) return;
        sys.counters.owedDrains++;
        c.owed = true;
        if (owedCount == owedQueue.length) owedQueue = Arrays.copyOf(owedQueue, owedCount * 2);
        owedQueue[owedCount++] = c;
    }

    /** Continues the drains stopped by a budget, in the order they stopped; true while any is still owed. */
    @Override
    boolean runOwed() {
        if (acceptOwed) onAcceptable();
        int n = owedCount;
        for (int i = 0; i < n; i++) {
            Connection c = owedQueue[i];
            owedQueue[i] = null;
            if (!c.owed) continue;  // closed meanwhile
            c.owed = false;
            if (c.state == Connection.OPEN && !c.outputPending()) onReadable(c);
        }
        // Drains owed again during this pass were appended after n: move them to the front.
        System.arraycopy(owedQueue, n, owedQueue, 0, owedCount - n);
        Arrays.fill(owedQueue, owedCount - n, owedCount, null);
        owedCount -= n;
        return owedCount > 0 || acceptOwed;
    }
}
