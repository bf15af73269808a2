package edgepoll.uring;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.proto.Protocol;
import edgepoll.stats.SyscallCounters;
import edgepoll.transport.Conn;
import edgepoll.transport.Deadlines;
import edgepoll.transport.LoopClock;
import edgepoll.transport.Outcome;
import edgepoll.transport.Transport;

/**
 * The uring loop's {@link Transport}: the same pump, end of a connection and timers as every loop,
 * with the ring's requests in place of read and send. Held input (provided buffers from recv CQEs)
 * is copied into the connection's buffer as the pump wants it; at most one send is in the ring,
 * and its completion drives the connection again; the recv stays armed unless backpressure holds
 * it; shutdown and close go through the ring too (cancel-and-close). Owned by the loop thread.
 */
final class UringTransfer extends Transport<UringConnection> {
    private final SyscallCounters counters;
    private final Submissions sq;
    private final ProvidedBuffers buffers;
    private final UringSlots slots;
    /** Sends prepared since the last enter whose completion needs no follow-up (see UringLoop.loop). */
    private int quietSends;

    UringTransfer(LoopSyscalls sys, Submissions sq, ProvidedBuffers buffers, UringSlots slots,
            Deadlines deadlines, LoopClock clock, Protocol protocol, boolean cork) {
        super(sys, protocol, clock, deadlines, cork);
        this.counters = sys.counters;
        this.sq = sq;
        this.buffers = buffers;
        this.slots = slots;
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

    /**
     * After its completions: the pump (held input copied in, answered, one send submitted), then the
     * peer's FIN once everything it sent before it is consumed, then the recv kept armed as wanted.
     */
    void drive(UringConnection c) {
        pump(c);
        if (c.state == Conn.OPEN && c.peerClosed && c.pendCount == 0 && !c.sendInFlight) {
            onEof(c);
            if (c.state == Conn.OPEN) pump(c);
        }
        if (c.live() && !c.recvArmed && !c.recvCancelling && !c.starved && !c.peerClosed && c.pendCount == 0) armRecv(c);
    }

    @Override
    protected boolean feed(UringConnection c) {
        return buffers.feed(c, slots.pool);
    }

    /** An output buffer from the pool (a send may read from it until its CQE: given back only then). */
    @Override
    protected void lendOutput(UringConnection c) {
        if (c.out == null) c.out = slots.pool.acquire();
    }

    /** One send of what is queued, in the ring: the head buffer first, then the body (at most 1 GiB a send). */
    @Override
    protected Outcome send(UringConnection c) {
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
        return Outcome.WAITING;
    }

    /** shutdown(SHUT_WR) in the ring, too. */
    @Override
    protected void shutdownWrite(UringConnection c) {
        sq.shutdownWrite(c);
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

    /** Marks {@code c} closed: cancels what it has in the ring and closes its fd, both in the next submission. */
    @Override
    public void closeLater(UringConnection c, String reason) {
        if (!c.markClosed(reason)) return;
        buffers.drop(c);
        c.resetBytes();  // c.sending keeps a send's bytes reachable until its CQE
        sq.cancelAllAndClose(c);
    }

    @Override
    protected void releaseIdleBuffers(UringConnection c) {
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

    /** Lingering: what it holds is dropped; the recv goes on, and its CQEs are discarded until the FIN (Completions). */
    @Override
    protected void lingering(UringConnection c) {
        buffers.drop(c);
    }
}
