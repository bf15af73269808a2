package edgepoll.transport;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.proto.Protocol;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;

/**
 * The {@link Transport} of the readiness loops (every epoll, poll and busy-sweep loop, and the
 * --shared-epoll threads): bytes move by read(2) and send(2) on a non-blocking socket, each call
 * made when the loop's readiness says so. One read into the input buffer, the send of queued head
 * and body until done or EAGAIN, the lingering read that discards until the peer's FIN. Who lends
 * the buffers and who closes the fd is the subclass's. Owned by the loop thread.
 */
public abstract class SocketTransport<C extends Conn> extends Transport<C> {
    /** What {@link #readSome} answers for a full input buffer instead of reading: -ENOBUFS, never 0 (EOF). */
    public static final long NO_ROOM = -Errno.ENOBUFS;

    /** Whether a lingering connection is read to EAGAIN (ET) or once per event (LT). */
    private final boolean drainsToEagain;

    protected SocketTransport(LoopSyscalls sys, Protocol protocol, LoopClock clock, Deadlines deadlines,
            boolean cork, boolean drainsToEagain) {
        super(sys, protocol, clock, deadlines, cork);
        this.drainsToEagain = drainsToEagain;
    }

    /**
     * Reads once into the connection's input buffer (lent if it holds none, else its own, compacted
     * first), offering all the space left in it. Returns read's result. The buffer is given back
     * when the read brought nothing and nothing is buffered: the read that ends an ET drain
     * (EAGAIN) or finds EOF must not leave a connection holding a buffer.
     */
    public final long readSome(C c) {
        if (c.in == null) {
            lendInput(c);
        } else {
            c.compact();
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
            releaseIdleBuffers(c);
        }
        return n;
    }

    /** Whether the last read filled the input buffer (call right after a read that returned > 0). */
    public static boolean filled(Conn c) {
        return c.inLen == c.in.byteSize();
    }

    /** send until all queued bytes are gone (DONE), the kernel says EAGAIN (WAITING) or the peer is gone (ENDED). */
    @Override
    protected final Outcome send(C c) {
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
        return Outcome.DONE;
    }

    private Outcome sendFailed(C c, long rc) {
        if (rc == -Errno.EAGAIN) return Outcome.WAITING;
        closeLater(c, null);  // EPIPE, ECONNRESET, ...: counted by errno in the counters
        return Outcome.ENDED;
    }

    @Override
    protected final void shutdownWrite(C c) {
        sys.shutdown(c.fd, Net.SHUT_WR);
    }

    @Override
    protected final void lingering(C c) {
        lingerRead(c);
    }

    /** Reads and discards until EOF (then close), EAGAIN, or after one read when the policy is LT. */
    public final void lingerRead(C c) {
        while (c.state == Conn.LINGERING) {
            c.inPos = c.inLen = 0;
            long n = readSome(c);
            if (n == 0 || (n < 0 && n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                closeLater(c, null);
            } else if (n == -Errno.EAGAIN || !drainsToEagain) {
                break;
            }
        }
        c.inPos = c.inLen = 0;
        releaseIdleBuffers(c);
    }

    /** Gives {@code c} an input buffer (it holds none). */
    protected abstract void lendInput(C c);
}
