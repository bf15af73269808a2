package edgepoll.loop;

import edgepoll.proto.Protocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.Errno;
import java.lang.foreign.MemorySegment;

/**
 * The bytes of one {@code --shared-epoll} connection, for the thread that holds its owner word
 * ({@link SharedEpollLoop}): send what is pending, read until EAGAIN answering as it comes, send
 * again, and close. One per thread, with that thread's LoopSyscalls and protocol; the slot's buffers
 * belong to the {@link SharedEpoll} arena, so a reply begun here may be finished by another thread.
 */
final class SharedEpollTransfer {
    private final LoopSyscalls sys;
    private final Protocol protocol;

    SharedEpollTransfer(LoopSyscalls sys, Protocol protocol) {
        this.sys = sys;
        this.protocol = protocol;
    }

    /** Owned: send what waits, read until EAGAIN answering as it comes, send again. */
    void drain(SharedEpoll.Slot s) {
        if (s.outputPending() && !flush(s)) return;
        for (;;) {
            if (s.outputPending()) return;  // backpressure: wait for EPOLLOUT before reading more
            compact(s);
            if (s.inLen == s.in.byteSize()) {
                // Full and unanswerable (the protocol answers 431 before this; options keep it so):
                // closed, as Transfer.readSome's guard does, never left open with no read to come.
                closeOwned(s);
                return;
            }
            long n = sys.read(s.fd, s.in, s.inLen, s.in.byteSize() - s.inLen);
            if (n > 0) {
                s.inLen += (int) n;
                sys.counters.addRequests(protocol.process(s));
                if (!flush(s)) return;
                if (s.closeAfterFlush && !s.outputPending()) {
                    closeOwned(s);
                    return;
                }
            } else if (n == 0 || (n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                closeOwned(s);  // EOF or error: what is queued for a gone peer is dropped
                return;
            } else if (n == -Errno.EAGAIN) {
                return;
            }
        }
    }

    private static void compact(SharedEpoll.Slot s) {
        if (s.inPos == 0) return;
        int left = s.inLen - s.inPos;
        if (left > 0) MemorySegment.copy(s.in, s.inPos, s.in, 0, left);
        s.inPos = 0;
        s.inLen = left;
    }

    /** Sends queued replies (and answers buffered requests as room frees); false if the connection closed. */
    private boolean flush(SharedEpoll.Slot s) {
        while (s.outputPending()) {
            long n;
            if (s.outPos < s.outLen) {
                n = sys.send(s.fd, s.out, s.outPos, s.outLen - s.outPos);
                if (n > 0) s.outPos += (int) n;
            } else {
                n = sys.send(s.fd, s.body, s.bodySent, s.bodyLength - s.bodySent);
                if (n > 0) s.bodySent += n;
            }
            if (n == -Errno.EAGAIN) return true;
            if (n < 0 && n != -Errno.EINTR) {
                closeOwned(s);
                return false;
            }
            if (!s.outputPending()) {
                s.outPos = s.outLen = 0;
                s.bodySent = s.bodyLength = 0;
                s.body = null;
                if (s.buffered() > 0 && !s.closeAfterFlush) sys.counters.addRequests(protocol.process(s));
            }
        }
        if (s.closeAfterFlush) {
            closeOwned(s);
            return false;
        }
        return true;
    }

    /** Owned: close(2) (which also removes it from the epoll instance) and mark the slot closed. */
    void closeOwned(SharedEpoll.Slot s) {
        if (!s.open) return;
        s.open = false;
        s.resetBytes();
        sys.close(s.fd);
        sys.counters.countClosed();
    }
}
