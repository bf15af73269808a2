package edgepoll.server.testkit;

import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.UringOp;
import java.net.Socket;
import java.util.function.Predicate;

/**
 * Bounded waits on an in-process server's live counters (Server.liveStats). Every model publishes
 * them: an event loop (and the io_uring loop) a copy as of the end of a batch, on request; a blocking
 * model the sum of its sessions' counters (a recent past; each counter only grows). accepted, closed,
 * bytes in and requests are counted by all of them; EAGAIN only where sockets are non-blocking.
 */
public final class Live {
    private Live() {}

    /** Waits (at most 20 s) until {@code done} holds for the live totals; returns them. */
    public static SyscallCounters await(ServerHandle s, String what, Predicate<SyscallCounters> done) throws Exception {
        return Await.until(20_000, what, () -> {
            SyscallCounters c = s.server().liveStats().total();
            return done.test(c) ? c : null;
        });
    }

    /** Until the server has closed at least {@code n} connections (it saw the clients' FINs or resets, or closed them itself). */
    public static SyscallCounters awaitClosed(ServerHandle s, long n) throws Exception {
        return await(s, "the server to close " + n + " connection(s)", c -> c.closed() >= n);
    }

    /** Until every connection the server accepted is closed again (and it accepted one at least). */
    public static SyscallCounters awaitAllClosed(ServerHandle s) throws Exception {
        return await(s, "the server to close every connection it accepted", c -> c.accepted() > 0 && c.closed() == c.accepted());
    }

    /**
     * Until the server's reply to {@code client} (who does not read) is stuck for want of room in
     * the socket: a send that met EAGAIN where sockets are non-blocking; a ring send in flight under
     * uring; under the blocking models (threads, blocking), whose send just blocks and counts
     * nothing, the kernel's view: bytes queued unsent on the server's end and unread on the client's.
     */
    public static void awaitSendStalled(ServerHandle s, String variant, Socket client) throws Exception {
        if (variant.equals("uring")) {
            await(s, "a ring send to stay in flight", c -> c.sqes(UringOp.SEND) > c.cqes(UringOp.SEND));
        } else if (variant.equals("threads") || variant.equals("blocking")) {
            Await.until(20_000, "the server's blocking send to fill the socket", () -> {
                TcpSockets.Entry server = TcpSockets.serverEnd(client), mine = TcpSockets.clientEnd(client);
                return server != null && mine != null && server.txQueue() > 0 && mine.rxQueue() > 0 ? true : null;
            });
        } else {
            await(s, "the server's send to meet EAGAIN", c -> c.eagain(Sys.SEND) > 0);
        }
    }
}
