package edgepoll.uring;

import edgepoll.proto.Protocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.sys.Net;

/**
 * Drives one connection after its completions (the epoll loops' Transfer, with the ring's requests
 * in place of read and send): held input copied in and turned into replies, one send in the ring
 * while replies are queued, the recv kept armed unless backpressure holds it, the timers, and the
 * ends of a connection: half-close and linger (HTTP), or cancel-and-close through the ring. Owned
 * by the loop thread.
 */
final class UringTransfer {
    private final LoopSyscalls sys;
    private final SyscallCounters counters;
    private final Submissions sq;
    private final ProvidedBuffers buffers;
    private final UringSlots slots;
    private final UringDeadlines deadlines;
    private final TurnClock clock;
    private final Protocol protocol;
    private final boolean cork;
    /** Sends prepared since the last enter whose completion needs no follow-up (see UringLoop.loop). */
    private int quietSends;

    UringTransfer(LoopSyscalls sys, Submissions sq, ProvidedBuffers buffers, UringSlots slots,
            UringDeadlines deadlines, TurnClock clock, Protocol protocol, boolean cork) {
        this.sys = sys;
        this.counters = sys.counters;
        this.sq = sq;
        this.buffers = buffers;
        this.slots = slots;
        this.deadlines = deadlines;
        this.clock = clock;
        this.protocol = protocol;
        this.cork = cork;
    }

    /** A newly accepted connection: its recv armed, its first timer. */
    void start(UringConnection c) {
        armRecv(c);
        deadlines.rearm(c, clock.nowMs);
    }

    /** The quiet sends prepared since the last call (the enter about to be made submits them). */
    int takeQuietSends() {
        int n = quietSends;
        quietSends = 0;
        return n;
    }

    /** After its completions: turn held input into replies, send them, keep the recv armed as wanted, timers. */
    void drive(UringConnection c) {
        if (c.state == UringConnection.OPEN) pump(c);
        if (c.live() && !c.recvArmed && !c.recvCancelling && !c.starved && !c.peerClosed && c.pendCount == 0) armRecv(c);
        if (c.live()) {
            releaseIdleBuffers(c);
            deadlines.rearm(c, clock.nowMs);
        }
    }

    /**
     * The Transfer.pump of the epoll loops, with a send in the ring instead of send(2): while no send
     * is in flight, copy held input into the connection buffer, let the protocol answer, and submit
     * what it queued. A send's completion drives the connection again.
     */
    private void pump(UringConnection c) {
        while (c.state == UringConnection.OPEN && !c.sendInFlight) {
            boolean fed = buffers.feed(c, slots.pool);
            if (c.outputPending()) {
                if (cork && !c.corked && (c.buffered() > 0 || c.pendCount > 0)) {
                    sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 1);  // more replies will follow this send
                    c.corked = true;
                }
                send(c);
                return;
            }
            if (c.closeAfterFlush) {
                finish(c);
                return;
            }
            if (c.buffered() == 0) {
                if (fed || c.pendCount > 0) continue;
                break;
            }
            if (c.out == null) c.out = slots.pool.acquire();
            int before = c.inPos;
            counters.addRequests(protocol.process(c));
            if (!c.outputPending() && c.inPos == before && !fed) break;  // an incomplete request: wait for more input
        }
        if (c.corked && c.state == UringConnection.OPEN && !c.sendInFlight) {
            sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 0);  // the batch is sent: let the last bytes go
            c.corked = false;
        }
        if (c.state == UringConnection.OPEN && c.peerClosed && c.pendCount == 0 && !c.sendInFlight) {
            c.inPos = c.inLen = 0;  // an incomplete request can never complete
            if (c.outputPending()) {
                c.closeAfterFlush = true;
                send(c);
            } else if (c.closeAfterFlush) {
                finish(c);
            } else {
                closeLater(c);
            }
        }
    }

    /** One send of what is queued: the head buffer first, then the body (at most 1 GiB a send). */
    private void send(UringConnection c) {
        long rest;
        if (c.outPos < c.outLen) {
            sq.send(c, c.out, c.outPos, c.outLen - c.outPos, false);
            rest = c.bodyLength - c.bodySent;
        } else {
            int n = (int) Math.min(c.bodyLength - c.bodySent, 1 << 30);
            sq.send(c, c.body, c.bodySent, n, true);
            rest = c.bodyLength - c.bodySent - n;
        }
        if (rest == 0 && c.pendCount == 0 && c.buffered() == 0 && !c.closeAfterFlush && !c.peerClosed) quietSends++;
    }

    /** The send's CQE: account the bytes it took; the connection is then driven again. */
    void sent(UringConnection c, int res) {
        counters.addBytesOut(res);
        if (c.sendingBody) {
            c.bodySent += res;
            if (c.bodySent >= c.bodyLength) {
                c.bodySent = c.bodyLength = 0;
                c.body = null;
            }
        } else {
            c.outPos += res;
            if (c.outPos >= c.outLen) c.outPos = c.outLen = 0;
        }
    }

    void armRecv(UringConnection c) {
        sq.recv(c);
    }

    /** A recv CQE brought {@code res} bytes in buffer {@code bid}: held until consumed; too many held pause the recv. */
    void received(UringConnection c, int bid, int res) {
        c.pushPending(bid, res);
        counters.addBytesIn(res);
        if (c.pendCount >= UringLoop.HOLD_LIMIT && c.recvArmed && !c.recvCancelling) sq.cancelRecv(c);
    }

    /** Everything queued is sent and the connection must end: half-close and linger (HTTP), or close. */
    private void finish(UringConnection c) {
        if (c.peerClosed || !protocol.isHttp()) {
            closeLater(c);
            return;
        }
        // shutdown(SHUT_WR) sends our FIN after the reply; reading on until the client's FIN keeps
        // unread client bytes from turning the close into an RST that could destroy the reply.
        sq.shutdownWrite(c);
        c.state = UringConnection.LINGERING;
        c.inPos = c.inLen = 0;
        buffers.drop(c);
        deadlines.linger(c, clock.nowMs);
    }

    /** Marks {@code c} closing: cancels what it has in the ring and closes its fd, both in the next submission. */
    void closeLater(UringConnection c) {
        if (!c.live()) return;
        c.state = UringConnection.CLOSING;
        deadlines.remove(c);
        buffers.drop(c);
        c.resetBytes();  // c.sending keeps a send's bytes reachable until its CQE
        sq.cancelAllAndClose(c);
    }

    private void releaseIdleBuffers(UringConnection c) {
        if (c.in != null && c.inPos == c.inLen) {
            slots.pool.release(c.in);
            c.in = null;
            c.inPos = c.inLen = 0;
        }
        if (c.out != null && !c.outputPending() && !c.sendInFlight) {
            slots.pool.release(c.out);
            c.out = null;
            c.outPos = c.outLen = 0;
        }
    }
}
