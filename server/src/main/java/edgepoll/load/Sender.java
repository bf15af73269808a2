package edgepoll.load;

import edgepoll.sys.Epoll;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.Syscalls;
import java.lang.foreign.MemorySegment;

/**
 * The sending side of a generator thread, paced in closed or open loop. Closed loop
 * ({@code schedule} null): every connection keeps {@code pipeline} requests in flight, each timed
 * from its send. Open loop: a connection sends the requests its {@link RateSchedule} dealt it, each
 * timed from when it was due. Whatever a connection may send goes out in one send(2), as one slice of
 * the request template ({@code pipeline} copies of the request); EPOLLOUT is asked for only while a
 * send left bytes behind.
 *
 * <p>Connections that read responses in a wake-up are queued ({@link #later}) and sent on after the
 * whole batch ({@link #flushLater}), so the requests of a wake-up leave together.
 */
final class Sender {
    private final MemorySegment cs;
    /** {@code pipeline} copies of the request, from the thread's arena. */
    private final MemorySegment request;
    private final int requestLength;
    private final int pipeline;
    private final LoadConnection[] conns;
    /** Open loop only; null in closed loop. */
    private final RateSchedule schedule;
    private final Connector connector;
    private final LoadRecorder rec;
    /** Connections that read responses in this wake-up: their next requests leave together after the batch. */
    private final int[] toFlush;
    private int queuedCount;

    Sender(MemorySegment cs, MemorySegment request, int requestLength, int pipeline, LoadConnection[] conns,
           RateSchedule schedule, Connector connector, LoadRecorder rec) {
        this.cs = cs;
        this.request = request;
        this.requestLength = requestLength;
        this.pipeline = pipeline;
        this.conns = conns;
        this.schedule = schedule;
        this.connector = connector;
        this.rec = rec;
        this.toFlush = new int[conns.length];
    }

    /** Queues {@code c} to send on after the batch (once per wake-up). */
    void later(LoadConnection c) {
        if (!c.queued) {
            c.queued = true;
            toFlush[queuedCount++] = c.index;
        }
    }

    /** Sends on every connection {@link #later} queued in this wake-up. */
    void flushLater() {
        for (int i = 0; i < queuedCount; i++) {
            LoadConnection c = conns[toFlush[i]];
            c.queued = false;
            flush(c);
        }
        queuedCount = 0;
    }

    /** Sends what the connection may send now (new requests and any unsent rest) in one send(2). */
    void flush(LoadConnection c) {
        if (c.state != LoadConnection.UP) return;
        int room = pipeline - c.inFlight;
        long k = schedule != null ? Math.min(room, c.assigned - c.sent) : room;
        if (k > 0) {
            long now = System.nanoTime();
            for (int j = 0; j < k; j++) c.push(schedule != null ? schedule.due(c, c.sent + j) : now);
            c.sent += k;
            c.unsent += k * requestLength;
        }
        if (c.unsent == 0) return;
        long n = Syscalls.sendAt(cs, c.fd, request, request.byteSize() - c.unsent, c.unsent, Net.MSG_NOSIGNAL);
        if (n > 0) {
            c.unsent -= n;
            rec.count.bytesOut += n;
        } else if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
            connector.fail(c, Connector.WRITE);
            return;
        }
        connector.interest(c, c.unsent > 0 ? Connector.INPUT | Epoll.EPOLLOUT : Connector.INPUT);
    }

    /** Open loop: deals the requests due by {@code now} and sends them. */
    void issue(long now) {
        long from = schedule.deal(now, conns);
        long to = schedule.issued();
        if (to - from >= conns.length) {
            for (LoadConnection c : conns) flush(c);
        } else {
            for (long k = from; k < to; k++) flush(conns[(int) (k % conns.length)]);
        }
    }
}
