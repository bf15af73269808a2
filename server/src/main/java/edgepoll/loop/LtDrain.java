package edgepoll.loop;

import edgepoll.sys.Epoll;
import edgepoll.sys.Errno;

/**
 * Level-triggered draining (seed 001's epoll server, seed 004; also poll(2) and the busy sweep):
 * the kernel keeps reporting a ready fd, so each event gets one step: one accept4 per listener
 * event, one read per readable event. Replies are written at once; only when the kernel cannot take
 * them all does the connection's interest switch to EPOLLOUT (epoll_ctl MOD under epoll), and back
 * to EPOLLIN|EPOLLRDHUP once they are sent. While output is pending EPOLLIN is off: a
 * level-triggered EPOLLIN the loop will not act on would wake it on every wait (backpressure
 * without a busy loop). The same rule switches a paused listener off ({@link Acceptor}).
 */
final class LtDrain extends DrainPolicy {
    LtDrain(Parts p) {
        super(p, false);
    }

    @Override
    Interest connectionInterest() {
        return interest(false);
    }

    /** Input interest, or only output while replies wait to be sent. */
    private static Interest interest(boolean outputPending) {
        return outputPending ? Interest.OUT : Interest.IN_RDHUP;
    }

    @Override
    void onAcceptable() {
        if (acceptor.paused()) return;
        int fd = acceptor.acceptOne();
        if (fd >= 0) accepted(fd);
    }

    /**
     * The interest holds one direction at a time, so an event is about that direction: with output
     * pending only EPOLLOUT is registered and the event means writable; otherwise it means readable.
     * (ET registers both and handles input first; here there is never both to order.) ERR and HUP
     * go to whichever direction is registered.
     */
    @Override
    void onEvent(Connection c, int events) {
        int errOrHup = events & (Epoll.EPOLLERR | Epoll.EPOLLHUP);
        if (c.outputPending()) {
            if ((events & Epoll.EPOLLOUT) != 0) sys.counters.countWritableEvent();
            if ((events & Epoll.EPOLLOUT) != 0 || errOrHup != 0) onWritable(c);
        } else if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP)) != 0 || errOrHup != 0) {
            onReadable(c);
        }
    }

    void onReadable(Connection c) {
        if (c.state == Connection.LINGERING) {
            io.lingerRead(c);
            return;
        }
        long n = io.readSome(c);
        if (n > 0) {
            io.pump(c);
        } else if (n == 0) {
            io.onEof(c);
            if (c.state == Connection.OPEN) io.pump(c);
        } else if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
            table.closeLater(c);
        }
        updateInterest(c);
    }

    void onWritable(Connection c) {
        io.pump(c);
        updateInterest(c);
    }

    private void updateInterest(Connection c) {
        if (c.live() && setInterest(c, interest(c.outputPending())) < 0) table.closeLater(c);
    }
}
