package edgepoll.loop;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.proto.Protocol;
import edgepoll.sys.Errno;
import edgepoll.transport.Conn;
import edgepoll.transport.LoopClock;
import edgepoll.transport.SocketTransport;

/**
 * The bytes of one {@code --shared-epoll} connection, for the thread that holds its owner word
 * ({@link SharedEpollLoop}): the readiness loops' {@link SocketTransport}, with the slot's own
 * buffers (from the {@link SharedEpoll} arena, never lent nor given back: a reply begun by one
 * thread may be finished by another) and a close made at once by the owner. One per thread, with
 * that thread's LoopSyscalls, protocol and clock (its Date).
 *
 * <p><b>No timers, so no lingering close.</b> A timer list is one thread's, and any thread may get a
 * connection's next event, so this transport has no {@link edgepoll.transport.Deadlines}: no idle
 * or header timeout, and a reply that closes is followed by close(2), not by a half-close that only
 * a linger timer could end if the peer never sent its FIN.
 */
final class SharedEpollTransfer extends SocketTransport<SharedEpoll.Slot> {
    SharedEpollTransfer(LoopSyscalls sys, Protocol protocol, LoopClock clock) {
        super(sys, protocol, clock, null, false, true);
    }

    /** Owned: send what waits, then read until EAGAIN answering as it comes (the pump), never reading while replies wait. */
    void drain(SharedEpoll.Slot s) {
        if (s.outputPending()) pump(s);
        while (s.state == Conn.OPEN && !s.outputPending()) {  // backpressure: wait for EPOLLOUT before reading more
            long n = readSome(s);
            if (n > 0) {
                pump(s);
            } else if (n == 0) {
                onEof(s);  // nothing is queued (reads wait for the output): closed at once
            } else if (n == -Errno.EAGAIN) {
                return;
            } else if (n != -Errno.EINTR) {
                closeLater(s, null);  // an error, or a full buffer the protocol cannot answer (NO_ROOM)
            }
        }
    }

    /** Owned: close(2) (which also removes it from the epoll instance), now; the slot's buffers stay. */
    @Override
    public void closeLater(SharedEpoll.Slot s, String reason) {
        if (!s.markClosed(reason)) return;
        s.resetBytes();
        sys.close(s.fd);
        sys.counters.countClosed();
        s.state = Conn.FREE;
    }

    @Override
    protected void lendInput(SharedEpoll.Slot s) {}  // never called: a slot always has its buffers

    @Override
    protected void lendOutput(SharedEpoll.Slot s) {}

    @Override
    protected void releaseIdleBuffers(SharedEpoll.Slot s) {}
}
