package edgepoll.uring;

import edgepoll.stats.SyscallCounters;
import edgepoll.stats.UringOp;
import edgepoll.sys.Errno;
import edgepoll.sys.uring.Cqe;
import edgepoll.sys.uring.Ring;
import edgepoll.transport.Conn;

/**
 * Where each CQE goes: counted by op and result, then handed to the listener's acceptor, the wake
 * poll, or the connection its user_data names (checked by slot and generation: a CQE for a slot
 * since reused is stale, counted, and its buffer handed back). A connection's CQEs only update its
 * state and mark it dirty; {@link UringTransfer#drive} acts on it once after the reap. Owned by the
 * loop thread.
 */
final class Completions implements Ring.CompletionHandler {
    private final SyscallCounters counters;
    private final UringSlots slots;
    private final ProvidedBuffers buffers;
    private final UringTransfer transfer;
    private final UringAcceptor acceptor;
    private final WakePoll wake;
    private final CqeTrace trace;

    Completions(SyscallCounters counters, UringSlots slots, ProvidedBuffers buffers, UringTransfer transfer,
            UringAcceptor acceptor, WakePoll wake, CqeTrace trace) {
        this.counters = counters;
        this.slots = slots;
        this.buffers = buffers;
        this.transfer = transfer;
        this.acceptor = acceptor;
        this.wake = wake;
        this.trace = trace;
    }

    @Override
    public void onCompletion(long userData, int res, int flags) {
        handle(userData, res, flags);
        if (trace != null) trace.handled();  // the CQE's slice ends once it is handled
    }

    private void handle(long userData, int res, int flags) {
        UringOp op = UserData.op(userData);
        counters.countCqe(op, res);
        int slot = UserData.slot(userData);
        if (slot == UserData.LOOP) {
            if (trace != null) trace.completed(userData, op, null, res, flags);
            switch (op) {
                case ACCEPT -> acceptor.onCompletion(res, Cqe.hasMore(flags));
                case POLL -> wake.onCompletion(Cqe.hasMore(flags));
                default -> { }  // CANCEL of the accept
            }
            return;
        }
        UringConnection c = slots.lookup(slot, UserData.generation(userData));
        if (c == null) {
            int bid = Cqe.bufferId(flags);
            if (bid >= 0) {
                buffers.taken(bid);
                buffers.recycle(bid);
            }
            counters.countStaleEvent();
            return;
        }
        if (trace != null) trace.completed(userData, op, c, res, flags);
        switch (op) {
            case RECV -> onRecv(c, res, flags);
            case SEND -> onSend(c, res);
            case CLOSE -> {
                c.ops--;
                counters.countClosed();
                if (trace != null) trace.closed(c);
                slots.closed(c);
                slots.maybeFree(c);
                acceptor.fdFreed();
            }
            default -> {  // CANCEL, SHUTDOWN
                c.ops--;
                slots.maybeFree(c);
            }
        }
    }

    private void onRecv(UringConnection c, int res, int flags) {
        int bid = Cqe.bufferId(flags);
        if (bid >= 0) buffers.taken(bid);
        if (!Cqe.hasMore(flags)) {
            c.recvArmed = false;
            c.recvCancelling = false;
            c.ops--;
        }
        if (c.state == Conn.CLOSED) {
            if (bid >= 0) buffers.recycle(bid);
            slots.maybeFree(c);
            return;
        }
        if (res > 0) {
            if (c.state == Conn.LINGERING) {
                buffers.recycle(bid);  // read and discarded until the peer's FIN
            } else {
                transfer.received(c, bid, res);
            }
        } else {
            if (bid >= 0) buffers.recycle(bid);
            if (res == 0) {
                if (c.state == Conn.LINGERING) {
                    transfer.closeLater(c, null);
                    return;
                }
                c.peerClosed = true;
            } else if (res == -Errno.ENOBUFS) {
                slots.starve(c);
            } else if (res != -Errno.ECANCELED) {
                transfer.closeLater(c, null);  // ECONNRESET and the like, counted by errno
                return;
            }
        }
        slots.markDirty(c);
    }

    private void onSend(UringConnection c, int res) {
        c.ops--;
        c.sendInFlight = false;
        c.sending = null;
        if (c.state == Conn.CLOSED) {
            slots.maybeFree(c);
            return;
        }
        if (res < 0) {
            transfer.closeLater(c, null);  // EPIPE, ECONNRESET: counted by errno
            return;
        }
        transfer.sent(c, res);
        slots.markDirty(c);
    }
}
