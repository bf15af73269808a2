package edgepoll.uring;

import edgepoll.kernel.Tracer;
import edgepoll.stats.UringOp;
import edgepoll.sys.uring.Cqe;

/**
 * {@code --trace-format text} for the ring: one {@code cqe op(fd) slot= gen= [F_MORE] [F_BUFFER bid=] = res}
 * line per completion of a followed connection, and the accept line that starts following one.
 * The builder is the Tracer's own (no allocation per line).
 */
final class CqeText implements CqeTrace {
    private final Tracer text;

    CqeText(Tracer text) {
        this.text = text;
    }

    @Override
    public void queued(long userData, int fd) {
    }

    @Override
    public void accepted(int listenFd, UringConnection c) {
        if (!text.accepting()) return;
        text.maybeFollow(c.fd);
        StringBuilder sb = text.begin();
        if (sb == null) return;
        sb.append("cqe accept(").append(listenFd).append(") slot=").append(c.slot).append(" gen=").append(c.generation);
        text.end(sb, c.fd);
    }

    @Override
    public void completed(long userData, UringOp op, UringConnection c, int res, int flags) {
        if (c == null || !text.follows(c.fd)) return;
        StringBuilder sb = text.begin();
        if (sb == null) return;
        sb.append("cqe ").append(op.opName).append('(').append(c.fd).append(") slot=").append(c.slot).append(" gen=").append(c.generation);
        if (Cqe.hasMore(flags)) sb.append(" F_MORE");
        if (Cqe.hasBuffer(flags)) sb.append(" F_BUFFER bid=").append(Cqe.bufferId(flags));
        text.end(sb, res);
    }

    @Override
    public void handled() {
    }

    @Override
    public void closed(UringConnection c) {
        text.unfollow(c.fd);
    }
}
