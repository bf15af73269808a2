package edgepoll.uring;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.UringOp;
import edgepoll.sys.Net;
import edgepoll.sys.uring.Prep;
import edgepoll.sys.uring.Ring;
import java.lang.foreign.MemorySegment;

/**
 * The loop's one door into the submission queue: every SQE the uring mode prepares is written
 * here, counted by op ({@link SyscallCounters#countSqe}), given its {@link UserData}, and charged to
 * its connection ({@link UringConnection#ops}), so a slot cannot be reused while a request for it is
 * still in the ring. Nothing is submitted here: the loop's next enter submits everything at once.
 * Owned by the loop thread.
 */
final class Submissions {
    static final short BUFFER_GROUP = 1;
    private static final int ACCEPT_FLAGS = Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC;
    private static final int SEND_FLAGS = Net.MSG_NOSIGNAL | Net.MSG_WAITALL;
    private static final long ACCEPT_UD = UserData.of(UringOp.ACCEPT, UserData.LOOP, 0);

    private final LoopSyscalls sys;
    private final SyscallCounters counters;
    private final Ring ring;
    private final MemorySegment sqes;

    Submissions(LoopSyscalls sys, Ring ring) {
        this.sys = sys;
        this.counters = sys.counters;
        this.ring = ring;
        this.sqes = ring.sqes();
    }

    /** The listener's multishot accept. */
    void acceptMultishot(int listenFd) {
        Prep.acceptMultishot(sqes, next(), listenFd, ACCEPT_FLAGS, ACCEPT_UD);
        counters.countSqe(UringOp.ACCEPT);
    }

    /** Cancels the listener's accept (its CQE then comes without F_MORE). */
    void cancelAccept() {
        Prep.cancel(sqes, next(), ACCEPT_UD, UserData.of(UringOp.CANCEL, UserData.LOOP, 0));
        counters.countSqe(UringOp.CANCEL);
    }

    /** A multishot (edge-triggered) poll for input on the wake eventfd. */
    void pollWake(int wakeFd) {
        Prep.pollAdd(sqes, next(), wakeFd, Net.POLLIN, true, UserData.of(UringOp.POLL, UserData.LOOP, 0));
        counters.countSqe(UringOp.POLL);
    }

    /** The connection's multishot recv into the provided-buffer group. */
    void recv(UringConnection c) {
        Prep.recvMultishot(sqes, next(), c.fd, BUFFER_GROUP, UserData.of(UringOp.RECV, c.slot, c.generation));
        counters.countSqe(UringOp.RECV);
        c.recvArmed = true;
        c.ops++;
    }

    /** Cancels the connection's multishot recv (backpressure). */
    void cancelRecv(UringConnection c) {
        Prep.cancel(sqes, next(), UserData.of(UringOp.RECV, c.slot, c.generation), UserData.of(UringOp.CANCEL, c.slot, c.generation));
        counters.countSqe(UringOp.CANCEL);
        c.recvCancelling = true;
        c.ops++;
    }

    /** Sends {@code length} bytes of {@code from} at {@code offset}; {@code from} stays reachable until the CQE. */
    void send(UringConnection c, MemorySegment from, long offset, int length, boolean body) {
        Prep.send(sqes, next(), c.fd, from, offset, length, SEND_FLAGS, UserData.of(UringOp.SEND, c.slot, c.generation));
        counters.countSqe(UringOp.SEND);
        c.sending = from;
        c.sendingBody = body;
        c.sendInFlight = true;
        c.ops++;
    }

    /** shutdown(SHUT_WR) through the ring: our FIN after the reply. */
    void shutdownWrite(UringConnection c) {
        Prep.shutdown(sqes, next(), c.fd, Net.SHUT_WR, UserData.of(UringOp.SHUTDOWN, c.slot, c.generation));
        counters.countSqe(UringOp.SHUTDOWN);
        c.ops++;
    }

    /** Cancels every request on the connection's fd, then closes it: both in the next submission, in that order. */
    void cancelAllAndClose(UringConnection c) {
        if (c.recvArmed || c.sendInFlight) {
            Prep.cancelFd(sqes, next(), c.fd, UserData.of(UringOp.CANCEL, c.slot, c.generation));
            counters.countSqe(UringOp.CANCEL);
            c.ops++;
        }
        Prep.close(sqes, next(), c.fd, UserData.of(UringOp.CLOSE, c.slot, c.generation));
        counters.countSqe(UringOp.CLOSE);
        c.ops++;
    }

    /** A free SQE's offset; submits what is queued first when the SQ is full. */
    private long next() {
        long at = ring.nextSqe();
        for (int tries = 0; at < 0 && tries < 100_000; tries++) {
            sys.uringEnter(ring, 0, -1);  // SQPOLL: wakes the kernel thread if it sleeps
            at = ring.nextSqe();
            if (at < 0) Thread.yield();
        }
        if (at < 0) throw new IllegalStateException("io_uring submission queue stays full");
        return at;
    }
}
