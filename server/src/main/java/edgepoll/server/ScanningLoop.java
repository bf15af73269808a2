package edgepoll.server;

import java.lang.foreign.Arena;

/**
 * The level-triggered loops that keep no registration in the kernel (poll, busy-poll): they look at
 * every connection in {@link #active} each turn, so registering a connection or changing its
 * interest costs no syscall; the interest is only remembered for the next turn.
 */
abstract class ScanningLoop extends LtLoop {

    ScanningLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd, wakeFd);
    }

    @Override
    void setUp(Arena arena) {
        // no epoll instance: that is the model
    }

    @Override
    int register(Connection c) {
        c.registered = Poller.ltMask(false);
        return 0;
    }

    @Override
    int setInterest(Connection c, int mask) {
        c.registered = mask;
        return 0;
    }
}
