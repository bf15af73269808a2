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
    /** --trace: told of every SQE (its user_data and fd), for the timeline's arrows; else null. */
    private final CqeTrace trace;

    Submissions(LoopSyscalls sys, Ring ring, CqeTrace trace) {
        this.sys = sys;
        this.counters = sys.counters;
        this.ring = ring;
        this.sqes = ring.sqes();
        this.trace = trace;
    }

    /** Every SQE written: counted by op, and shown to the trace. */
    private void queued(UringOp op, long userData, int fd) {
        counters.countSqe(op);
        if (trace != null) trace.queued(userData, fd);
    }

    /** The listener's multishot accept. */
    void acceptMultishot(int listenFd) {
        Prep.acceptMultishot(sqes, next(), listenFd, ACCEPT_FLAGS, ACCEPT_UD);
        queued(UringOp.ACCEPT, ACCEPT_UD, -1);
    }

    /** Cancels the listener's accept (its CQE then comes without F_MORE). */
    void cancelAccept() {
        long ud = UserData.of(UringOp.CANCEL, UserData.LOOP, 0);
        Prep.cancel(sqes, next(), ACCEPT_UD, ud);
        queued(UringOp.CANCEL, ud, -1);
    }

    /** A multishot (edge-triggered) poll for input on the wake eventfd. */
    void pollWake(int wakeFd) {
        long ud = UserData.of(UringOp.POLL, UserData.LOOP, 0);
        Prep.pollAdd(sqes, next(), wakeFd, Net.POLLIN, true, ud);
        queued(UringOp.POLL, ud, -1);
    }

    /** The connection's multishot recv into the provided-buffer group. */
    void recv(UringConnection c) {
        long ud = UserData.of(UringOp.RECV, c.slot, c.generation);
        Prep.recvMultishot(sqes, next(), c.fd, BUFFER_GROUP, ud);
        queued(UringOp.RECV, ud, c.fd);
        c.recvArmed = true;
        c.ops++;
    }

    /** Cancels the connection's multishot recv (backpressure). */
    void cancelRecv(UringConnection c) {
        long ud = UserData.of(UringOp.CANCEL, c.slot, c.generation);
        Prep.cancel(sqes, next(), UserData.of(UringOp.RECV, c.slot, c.generation), ud);
        queued(UringOp.CANCEL, ud, c.fd);
        c.recvCancelling = true;
        c.ops++;
    }

    /** Sends {@code length} bytes of {@code from} at {@code offset}; {@code from} stays reachable until the CQE. */
    void send(UringConnection c, MemorySegment from, long offset, int length, boolean body) {
        long ud = UserData.of(UringOp.SEND, c.slot, c.generation);
        Prep.send(sqes, next(), c.fd, from, offset, length, SEND_FLAGS, ud);
        queued(UringOp.SEND, ud, c.fd);
        c.sending = from;
        c.sendingBody = body;
        c.sendInFlight = true;
        c.ops++;
    }

    /** shutdown(SHUT_WR) through the ring: our FIN after the reply. */
    void shutdownWrite(UringConnection c) {
        long ud = UserData.of(UringOp.SHUTDOWN, c.slot, c.generation);
        Prep.shutdown(sqes, next(), c.fd, Net.SHUT_WR, ud);
        queued(UringOp.SHUTDOWN, ud, c.fd);
        c.ops++;
    }

    /** Cancels every request on the connection's fd, then closes it: both in the next submission, in that order. */
    void cancelAllAndClose(UringConnection c) {
        if (c.recvArmed || c.sendInFlight) {
            long ud = UserData.of(UringOp.CANCEL, c.slot, c.generation);
            Prep.cancelFd(sqes, next(), c.fd, ud);
            queued(UringOp.CANCEL, ud, c.fd);
            c.ops++;
        }
        long close = UserData.of(UringOp.CLOSE, c.slot, c.generation);
        Prep.close(sqes, next(), c.fd, close);
        queued(UringOp.CLOSE, close, c.fd);
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
