package edgepoll.server;

import edgepoll.sys.Epoll;
import edgepoll.sys.Errno;

/**
 * The level-triggered loop (seed 001's epoll server, seed 004): the kernel keeps reporting a ready
 * fd, so each event gets one step: one accept4 per listener event, one read per readable event.
 * Replies are written at once; only when the kernel cannot take them all does the connection's
 * interest switch to EPOLLOUT with epoll_ctl(MOD), and back to EPOLLIN|EPOLLRDHUP once they are
 * sent. While output is pending EPOLLIN is off: a level-triggered EPOLLIN the loop will not act on
 * would wake it on every wait (backpressure without a busy loop).
 */
class LtLoop extends EventLoop {

    LtLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd, wakeFd);
    }

    @Override
    int registerMask() {
        return Poller.ltMask(false);
    }

    @Override
    int listenMask() {
        return Epoll.EPOLLIN;
    }

    @Override
    boolean drainsToEagain() {
        return false;
    }

    @Override
    void onAcceptable() {
        if (acceptPausedUntil >= 0) return;
        int fd = sys.accept(listenFd);
        if (fd >= 0) {
            accepted(fd);
        } else if (fd != -Errno.EAGAIN) {
            acceptFailed(fd);
        }
    }

    @Override
    void onEvent(Connection c, int events) {
        int errOrHup = events & (Epoll.EPOLLERR | Epoll.EPOLLHUP);
        if (c.outputPending()) {
            if ((events & Epoll.EPOLLOUT) != 0 || errOrHup != 0) onWritable(c);
        } else if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP)) != 0 || errOrHup != 0) {
            onReadable(c);
        }
    }

    void onReadable(Connection c) {
        if (c.state == Connection.LINGERING) {
            lingerRead(c);
            return;
        }
        long n = readSome(c);
        if (n > 0) {
            pump(c);
        } else if (n == 0) {
            onEof(c);
            if (c.state == Connection.OPEN) pump(c);
        } else if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
            closeNow(c);
        }
        updateInterest(c);
    }

    void onWritable(Connection c) {
        pump(c);
        updateInterest(c);
    }

    /** EPOLLOUT only while replies wait; the Poller skips the MOD when the mask is unchanged. */
    final void updateInterest(Connection c) {
        if (c.state == Connection.OPEN || c.state == Connection.LINGERING) {
            if (setInterest(c, Poller.ltMask(c.outputPending())) < 0) closeNow(c);
        }
    }
}
