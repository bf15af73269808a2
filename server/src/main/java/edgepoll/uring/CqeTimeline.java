package edgepoll.uring;

import edgepoll.kernel.PerfettoRecorder;
import edgepoll.stats.UringOp;
import edgepoll.sys.uring.Cqe;

/**
 * {@code --trace-format perfetto} for the ring: each CQE of a traced connection is a slice
 * {@code cqe <op>} on the connection's track, from when the loop reaped it to when it was handled
 * (the loop's own, the multishot accept's and the wake-up poll's, on the loop's track), with an
 * arrow from the io_uring_enter that submitted its SQE. The recorder keeps the tracks and arrows.
 */
final class CqeTimeline implements CqeTrace {
    private final PerfettoRecorder timeline;
    /**
     * The CQE being handled: its request, whether it is the loop's own, its connection's fd (-1 for
     * a late CQE whose connection's close already completed: no track), result, flags and reap
     * time; op null when none.
     */
    private UringOp op;
    private boolean own;
    private long userData;
    private int fd, res, slot, generation, flags;
    private long t0;
    /** The fd whose close the CQE being handled completed (its track is released after the slice), or -1. */
    private int closedFd = -1;

    CqeTimeline(PerfettoRecorder timeline) {
        this.timeline = timeline;
    }

    @Override
    public void queued(long userData, int fd) {
        if (fd < 0 || timeline.traces(fd)) timeline.queued(userData);
    }

    @Override
    public void completed(long userData, UringOp op, UringConnection c, int res, int flags) {
        this.t0 = System.nanoTime();
        this.op = op;
        this.userData = userData;
        this.own = c == null;
        this.fd = c == null ? -1 : c.fd;
        this.slot = c == null ? UserData.LOOP : c.slot;
        this.generation = c == null ? 0 : c.generation;
        this.res = res;
        this.flags = flags;
    }

    @Override
    public void handled() {
        if (op == null) return;
        long t1 = System.nanoTime();
        StringBuilder extra = new StringBuilder("\"slot\":").append(slot).append(",\"gen\":").append(generation);
        if (Cqe.hasMore(flags)) extra.append(",\"F_MORE\":true");
        if (Cqe.hasBuffer(flags)) extra.append(",\"bid\":").append(Cqe.bufferId(flags));
        timeline.completion("cqe " + op.opName, own, fd, userData, res, Cqe.hasMore(flags), extra.toString(), t0, t1);
        op = null;
        if (closedFd >= 0) {
            timeline.release(closedFd);
            closedFd = -1;
        }
    }

    @Override
    public void accepted(int listenFd, UringConnection c) {
        timeline.follow(c.fd);
    }

    /** The fd's track is released once the close's own slice is written ({@link #handled()}). */
    @Override
    public void closed(UringConnection c) {
        closedFd = c.fd;
    }
}
