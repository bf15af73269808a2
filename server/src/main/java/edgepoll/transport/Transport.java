package edgepoll.transport;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.proto.Protocol;
import edgepoll.sys.Net;

/**
 * Moving a connection's bytes through the protocol, the same in every event loop: the pump that
 * turns buffered requests into replies and has them sent (with TCP_CORK around a pipelined batch),
 * the end of a connection (half-close and linger, or close) and what EOF means; then the buffers a
 * connection no longer needs go back and its timer is re-armed ({@link Deadlines}). Each loop's
 * subclass says only what differs: how bytes move ({@link SocketTransport}: read and send syscalls;
 * the io_uring loop's: SQEs and CQEs) and who owns a connection and its buffers (an epoll loop's
 * table, the --shared-epoll owner word, the ring's slots). Owned by the loop thread.
 *
 * <p>One subclass per loop instance, so in a JVM serving one mode every hook is called on one type
 * (the JIT inlines it); the hooks are called per request, never allocate, never throw on EAGAIN.
 */
public abstract class Transport<C extends Conn> implements Deadlines.Closer {
    protected final LoopSyscalls sys;
    protected final Protocol protocol;
    protected final LoopClock clock;
    /** The loop's timers; null for a loop that keeps none (--shared-epoll), which then never lingers either. */
    protected final Deadlines deadlines;
    private final boolean cork;

    protected Transport(LoopSyscalls sys, Protocol protocol, LoopClock clock, Deadlines deadlines, boolean cork) {
        this.sys = sys;
        this.protocol = protocol;
        this.clock = clock;
        this.deadlines = deadlines;
        this.cork = cork;
    }

    /**
     * Sends queued replies and turns buffered input into more replies, until the input holds no
     * complete request or the output must wait (the socket's send buffer is full, or a send is in
     * flight). Returns {@link Outcome#DONE}, {@link Outcome#WAITING} or {@link Outcome#ENDED}. Then
     * the connection's idle buffers go back and, while it is open, its timer is re-armed.
     */
    public final Outcome pump(C c) {
        Outcome result = Outcome.DONE;
        while (c.state == Conn.OPEN) {
            if (c.sendInFlight) {
                result = Outcome.WAITING;
                break;
            }
            boolean fed = feed(c);
            if (c.outputPending()) {
                if (cork && !c.corked && (c.buffered() > 0 || c.holdsInput())) setCork(c, true);  // more replies follow this send
                result = send(c);
                if (result != Outcome.DONE) break;
            }
            if (c.closeAfterFlush) {
                finish(c);
                result = Outcome.ENDED;
                break;
            }
            if (c.buffered() == 0) {
                if (fed || c.holdsInput()) continue;
                break;
            }
            lendOutput(c);
            int before = c.inPos;
            sys.counters.addRequests(protocol.process(c));
            if (!c.outputPending() && c.inPos == before && !fed) break;  // an incomplete request: wait for more input
        }
        if (c.corked && result != Outcome.WAITING && c.state == Conn.OPEN) setCork(c, false);  // the batch is sent: let the last bytes go
        if (c.live()) {
            releaseIdleBuffers(c);
            if (deadlines != null) deadlines.rearm(c, clock.nowMs);
        }
        return result;
    }

    private void setCork(C c, boolean on) {
        sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, on ? 1 : 0);
        c.corked = on;
    }

    /** The peer closed its side (read or recv returned 0): what is queued is still sent, then it closes. */
    public final void onEof(C c) {
        c.peerClosed = true;
        c.inPos = c.inLen = 0;  // an incomplete request can never complete
        if (c.outputPending()) {
            c.closeAfterFlush = true;
        } else {
            closeLater(c, null);
        }
    }

    /**
     * Everything queued is sent and the connection must end: half-close and linger (HTTP, in a loop
     * with timers), or close. shutdown(SHUT_WR) sends our FIN after the reply; reading on until the
     * client's FIN keeps unread client bytes from turning the close into an RST that could destroy
     * the reply.
     */
    private void finish(C c) {
        if (c.peerClosed || !protocol.isHttp() || deadlines == null) {
            closeLater(c, null);
            return;
        }
        shutdownWrite(c);
        c.state = Conn.LINGERING;
        c.inPos = c.inLen = 0;
        deadlines.linger(c, clock.nowMs);
        lingering(c);
    }

    /** Marks every connection whose timer ran out closed (a loop with no timers has none). */
    public final void expire() {
        if (deadlines != null) deadlines.expire(clock.nowMs, this);
    }

    /** Milliseconds until the earliest timer, or -1 when none is armed. */
    public final long untilNextDeadline() {
        return deadlines != null ? deadlines.untilNext(clock.nowMs) : -1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final void closeExpired(Conn c, String reason) {
        closeLater((C) c, reason);  // the loop's lists hold only its own connections
    }

    /** Moves input the loop holds outside {@code c.in} into it (io_uring's provided buffers); true if any moved. */
    protected boolean feed(C c) {
        return false;
    }

    /** Sends what is queued: DONE when all is gone, WAITING when the rest must wait, ENDED when the connection closed. */
    protected abstract Outcome send(C c);

    /** Gives {@code c} an output buffer if it has none (before the protocol writes replies). */
    protected abstract void lendOutput(C c);

    /** Ends {@code c}'s hold on buffers that hold nothing (end of its turn). */
    protected abstract void releaseIdleBuffers(C c);

    /** shutdown(SHUT_WR): our FIN after the reply. */
    protected abstract void shutdownWrite(C c);

    /** {@code c} has just begun to linger: discard what it has read or holds. */
    protected abstract void lingering(C c);

    /** Marks {@code c} closed (why: {@code reason}, null to derive it) and has its fd closed, now or after the batch. */
    public abstract void closeLater(C c, String reason);
}
