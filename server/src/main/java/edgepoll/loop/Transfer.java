package edgepoll.loop;

import edgepoll.proto.Protocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import java.lang.foreign.MemorySegment;

/**
 * Moving bytes for one connection, the same under every drain policy: one read into the input
 * buffer, the pump that turns buffered requests into replies and sends them, the lingering close,
 * and what happens at EOF. The policies decide how often these run; this class decides nothing
 * about readiness. Owned by the loop thread.
 */
final class Transfer {
    static final int DONE = 0, AGAIN = 1, CLOSED = 2;
    /** What {@link #readSome} answers for a full input buffer instead of reading: -ENOBUFS, never 0 (EOF). */
    static final long NO_ROOM = -Errno.ENOBUFS;

    private final LoopSyscalls sys;
    private final ConnectionTable table;
    private final Protocol protocol;
    private final Clock clock;
    private final boolean cork;
    /** The policy's: whether a lingering connection is read to EAGAIN (ET) or once per event (LT). */
    private final boolean drainsToEagain;

    Transfer(LoopSyscalls sys, ConnectionTable table, Protocol protocol, Clock clock, boolean cork, boolean drainsToEagain) {
        this.drainsToEagain = drainsToEagain;
        this.sys = sys;
        this.table = table;
        this.protocol = protocol;
        this.clock = clock;
        this.cork = cork;
    }

    /**
     * Reads once into the connection's input buffer (the loop's scratch one if the connection holds
     * none, else its own, compacted first), offering all the space left in it. Returns read's
     * result. The buffer is given back when the read brought nothing and nothing is buffered: the
     * read that ends an ET drain (EAGAIN) or finds EOF must not leave a connection holding a buffer.
     */
    long readSome(Connection c) {
        if (c.in == null) {
            table.lendInput(c);
        } else if (c.inPos > 0) {
            int left = c.inLen - c.inPos;
            if (left > 0) MemorySegment.copy(c.in, c.inPos, c.in, 0, left);
            c.inPos = 0;
            c.inLen = left;
        }
        // A full buffer the protocol cannot consume leaves no room: read(2) asked for 0 bytes returns
        // 0, which the drains would take as EOF. No read is made; the input can never be processed,
        // so the answer is an error every drain closes on. (Options keep it from happening today: a
        // buffer holds a whole request head and the longest reply; this guard does not rely on that.)
        if (c.inLen == c.in.byteSize()) return NO_ROOM;
        long n = sys.read(c.fd, c.in, c.inLen, c.in.byteSize() - c.inLen);
        if (n > 0) {
            c.inLen += (int) n;
            c.bytesIn += n;
        } else if (c.inPos == c.inLen) {
            table.releaseIdleBuffers(c);
        }
        return n;
    }

    /** Whether the last read filled the input buffer (call right after a read that returned > 0). */
    static boolean filled(Connection c) {
        return c.inLen == c.in.byteSize();
    }

    /**
     * Sends queued replies and turns buffered input into more replies, until the input holds no
     * complete request or the socket's send buffer is full. Returns DONE, AGAIN (output still
     * pending: wait for writability) or CLOSED.
     */
    int pump(Connection c) {
        int result = DONE;
        while (c.state == Connection.OPEN) {
            if (c.outputPending()) {
                result = flush(c);
                if (result != DONE) break;
            }
            if (c.closeAfterFlush) {
                finish(c);
                result = CLOSED;
                break;
            }
            if (c.buffered() == 0) break;
            table.lendOutput(c);
            sys.counters.addRequests(protocol.process(c));
            if (!c.outputPending()) break;  // needs more input
            if (cork && !c.corked && c.buffered() > 0) {
                sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 1);
                c.corked = true;
            }
        }
        if (c.corked && result != AGAIN && c.state == Connection.OPEN) {
            sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 0);
            c.corked = false;
        }
        table.releaseIdleBuffers(c);
        table.rearm(c, clock.nowMs);
        return result;
    }

    /** send until all queued bytes are gone (DONE), the kernel says EAGAIN (AGAIN) or the peer is gone (CLOSED). */
    private int flush(Connection c) {
        while (c.outPos < c.outLen) {
            long n = sys.send(c.fd, c.out, c.outPos, c.outLen - c.outPos);
            if (n > 0) {
                c.outPos += (int) n;
                c.bytesOut += n;
            } else if (n != -Errno.EINTR) {
                return sendFailed(c, n);
            }
        }
        c.outPos = c.outLen = 0;
        while (c.bodySent < c.bodyLength) {
            long n = sys.send(c.fd, c.body, c.bodySent, c.bodyLength - c.bodySent);
            if (n > 0) {
                c.bodySent += n;
                c.bytesOut += n;
            } else if (n != -Errno.EINTR) {
                return sendFailed(c, n);
            }
        }
        c.bodySent = c.bodyLength = 0;
        c.body = null;
        return DONE;
    }

    private int sendFailed(Connection c, long rc) {
        if (rc == -Errno.EAGAIN) return AGAIN;
        table.closeLater(c);  // EPIPE, ECONNRESET, ...: counted by errno in the counters
        return CLOSED;
    }

    /** Everything queued is sent and the connection must end: half-close and linger, or close. */
    private void finish(Connection c) {
        if (c.peerClosed || !protocol.isHttp()) {
            table.closeLater(c);
            return;
        }
        // shutdown(SHUT_WR) sends our FIN after the reply; reading on until the client's FIN keeps
        // unread client bytes from turning the close into an RST that could destroy the reply.
        sys.shutdown(c.fd, Net.SHUT_WR);
        c.state = Connection.LINGERING;
        c.inPos = c.inLen = 0;
        table.linger.arm(c, clock.nowMs);
        lingerRead(c);
    }

    /** Reads and discards until EOF (then close), EAGAIN, or after one read when the policy is LT. */
    void lingerRead(Connection c) {
        while (c.state == Connection.LINGERING) {
            c.inPos = c.inLen = 0;
            long n = readSome(c);
            if (n == 0 || (n < 0 && n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                table.closeLater(c);
            } else if (n == -Errno.EAGAIN || !drainsToEagain) {
                break;
            }
        }
        c.inPos = c.inLen = 0;
        table.releaseIdleBuffers(c);
    }

    /** The peer closed its side (read returned 0): send what is queued, then close. */
    void onEof(Connection c) {
        c.peerClosed = true;
        c.inPos = c.inLen = 0;  // an incomplete request can never complete
        if (c.outputPending()) {
            c.closeAfterFlush = true;
        } else {
            table.closeLater(c);
        }
    }
}
