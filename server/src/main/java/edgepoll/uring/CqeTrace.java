package edgepoll.uring;

import edgepoll.kernel.Tracer;
import edgepoll.stats.UringOp;
import edgepoll.sys.uring.Cqe;

/**
 * --trace for the ring: one {@code cqe op(fd) slot= gen= [F_MORE] [F_BUFFER bid=] = res} line per
 * completion of a followed connection, and the accept line that starts following one. The enter
 * lines are LoopSyscalls'. Owned by the loop thread; the builder is the Tracer's own (no allocation
 * per line).
 */
final class CqeTrace {
    private final Tracer text;

    CqeTrace(Tracer text) {
        this.text = text;
    }

    void accepted(int listenFd, UringConnection c) {
        if (!text.accepting()) return;
        text.maybeFollow(c.fd);
        StringBuilder sb = text.begin();
        if (sb == null) return;
        sb.append("cqe accept(").append(listenFd).append(") slot=").append(c.slot).append(" gen=").append(c.generation);
        text.end(sb, c.fd);
    }

    void completed(UringOp op, UringConnection c, int res, int flags) {
        if (!text.follows(c.fd)) return;
        StringBuilder sb = text.begin();
        if (sb == null) return;
        sb.append("cqe ").append(op.opName).append('(').append(c.fd).append(") slot=").append(c.slot).append(" gen=").append(c.generation);
        if (Cqe.hasMore(flags)) sb.append(" F_MORE");
        if (Cqe.hasBuffer(flags)) sb.append(" F_BUFFER bid=").append(Cqe.bufferId(flags));
        text.end(sb, res);
    }

    void closed(UringConnection c) {
        text.unfollow(c.fd);
    }
}
