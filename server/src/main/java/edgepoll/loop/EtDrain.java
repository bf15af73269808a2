package edgepoll.loop;

import edgepoll.sys.Epoll;
import edgepoll.sys.Errno;
import edgepoll.transport.Outcome;
import java.util.function.Consumer;

/**
 * Edge-triggered draining (seed 001, "Edge Triggered"; epoll(7)): every fd is registered once with
 * {@code EPOLLET}, and each readiness is drained until the kernel says it is over, because no new
 * event comes for readiness the loop has already been told about.
 *
 * <p><b>The drain contract.</b> accept4 runs until EAGAIN; read runs until EAGAIN ({@link StrictEt})
 * or until {@link #readEndsDrain} says a read proved the socket empty ({@link ShortReadEt}); send
 * runs until everything queued is gone or EAGAIN. When the loop stops a drain early, it owes one: a
 * per-wake-up budget ({@link #READ_BUDGET} reads, {@link #ACCEPT_BUDGET} accepts) puts the
 * connection or the listener on the owed queue, and while anything is owed the loop waits with
 * timeout 0, so it never sleeps on an edge it has not finished. Reading also stops while replies are
 * pending (backpressure); {@code readOwed} then resumes it when the EPOLLOUT edge drains the output.
 *
 * <p><b>EPOLLOUT is registered once</b>, with EPOLLIN and EPOLLRDHUP, never toggled: one epoll_ctl
 * per connection in its whole life. The price is wake-ups that carry EPOLLOUT when the send buffer
 * drains although nothing waits to be sent; they are mostly merged with the EPOLLIN of the next
 * request, and the dispatcher acts on {@code outputPending()}, not on the bit (docs/et-vs-lt.md).
 */
abstract class EtDrain extends DrainPolicy {
    /** Reads per connection per wake-up before the rest is owed (fairness; Netty uses 16 messages). */
    static final int READ_BUDGET = 16;
    /** Accepts per wake-up before the rest is owed (an accept storm must not starve the others). */
    static final int ACCEPT_BUDGET = 64;

    private final OwedQueue owed = new OwedQueue();
    private final Consumer<Connection> resume = this::resumeOwed;
    private boolean acceptOwed;

    EtDrain(Parts p) {
        super(p, true);
    }

    /** Right after a read that returned bytes: whether it proved the socket's buffer empty. */
    abstract boolean readEndsDrain(Connection c);

    @Override
    final Interest connectionInterest() {
        return Interest.IN_OUT_RDHUP;
    }

    @Override
    final void onAcceptable() {
        acceptOwed = false;
        if (acceptor.paused()) return;
        for (int k = 0; k < ACCEPT_BUDGET; k++) {
            int fd = acceptor.acceptOne();
            if (fd >= 0) accepted(fd);
            else if (fd == -1) return;  // EAGAIN, or paused
        }
        acceptOwed = true;
    }

    /**
     * One event may carry input and output readiness together (both are registered): input first,
     * since reading may produce output, then output. ERR and HUP count as both. The EPOLLOUT bit is
     * acted on only for replies that were waiting before this event: output the input just produced
     * was already sent until EAGAIN, after the kernel reported the bit, so a send now would meet the
     * same full buffer (that EAGAIN re-arms the edge: the next EPOLLOUT event comes when room does).
     */
    @Override
    final void onEvent(Connection c, int events) {
        boolean waiting = c.outputPending();
        if ((events & Epoll.EPOLLOUT) != 0) {
            if (waiting) {
                sys.counters.countWritableEvent();
            } else if (events == Epoll.EPOLLOUT) {
                sys.counters.countIdleWritableEvent();
                return;
            }
        }
        if ((events & Epoll.EPOLLRDHUP) != 0) c.rdhup = true;
        int errOrHup = events & (Epoll.EPOLLERR | Epoll.EPOLLHUP);
        if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP)) != 0 || errOrHup != 0) onReadable(c);
        if (c.state == Connection.OPEN && (((events & Epoll.EPOLLOUT) != 0 && waiting) || errOrHup != 0) && c.outputPending()) {
            onWritable(c);
        }
    }

    final void onReadable(Connection c) {
        if (c.state == Connection.LINGERING) {
            io.lingerRead(c);
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
            long n = io.readSome(c);
            if (n > 0) {
                reads++;
                boolean over = readEndsDrain(c);
                io.pump(c);
                if (over) {
                    c.readOwed = false;
                    return;
                }
            } else if (n == 0) {
                c.readOwed = false;
                io.onEof(c);
                if (c.state == Connection.OPEN) io.pump(c);
                return;
            } else if (n == -Errno.EAGAIN) {
                c.readOwed = false;
                return;
            } else if (n != -Errno.EINTR) {
                table.closeLater(c);
                return;
            }
        }
    }

    final void onWritable(Connection c) {
        if (io.pump(c) == Outcome.DONE && c.readOwed && c.state == Connection.OPEN) onReadable(c);
    }

    private void owe(Connection c) {
        c.readOwed = true;
        if (owed.add(c)) sys.counters.countOwedDrain();
    }

    /** Continues the drains a budget stopped, in the order they stopped; true while any is still owed. */
    @Override
    final boolean runOwed() {
        if (acceptOwed) onAcceptable();
        owed.drainOnce(resume);
        return !owed.isEmpty() || acceptOwed;
    }

    private void resumeOwed(Connection c) {
        if (c.state == Connection.OPEN && !c.outputPending()) onReadable(c);
    }
}
