package edgepoll.kernel;

import edgepoll.stats.Sys;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import java.util.Arrays;

/**
 * {@code --trace}: an strace-like record of the syscalls one loop makes for its first
 * {@code --trace-connections} connections, kept in memory (at most {@link #MAX_CHARS} characters
 * per loop, then a truncation line) and written to the trace file when the server stops.
 *
 * <p>Untraced connections pay one array lookup per syscall; only followed fds format text. Owned by
 * the loop thread. Lines are stamped when the call returned.
 */
public final class Tracer implements SyscallRecorder {
    static final int MAX_CHARS = 16 << 20;

    private final int loop;
    private final long startNanos = System.nanoTime();
    private final StringBuilder out = new StringBuilder(1 << 16);
    private boolean[] followed = new boolean[1024];
    private int toFollow;
    private int following;
    private boolean truncated;

    public Tracer(int loop, int connections) {
        this.loop = loop;
        this.toFollow = connections;
    }

    /** Whether accepts are still traced (some connection is still to be followed). */
    public boolean accepting() {
        return toFollow > 0;
    }

    public boolean follows(int fd) {
        return fd >= 0 && fd < followed.length && followed[fd];
    }

    /** Starts following a newly accepted fd if the quota allows. */
    public void maybeFollow(int fd) {
        if (toFollow <= 0 || fd < 0) return;
        toFollow--;
        if (fd >= followed.length) followed = Arrays.copyOf(followed, Math.max(fd + 1, followed.length * 2));
        followed[fd] = true;
        following++;
    }

    public void unfollow(int fd) {
        if (follows(fd)) {
            followed[fd] = false;
            following--;
        }
    }

    /** Whether some followed connection is open (loop-wide lines, like io_uring_enter, are written only then). */
    public boolean followsAny() {
        return following > 0;
    }

    /** Starts a line: time since the loop started, loop index. Returns null once the trace is full. */
    public StringBuilder begin() {
        if (out.length() >= MAX_CHARS) {
            if (!truncated) {
                truncated = true;
                out.append("# trace truncated at ").append(MAX_CHARS).append(" characters\n");
            }
            return null;
        }
        long us = (System.nanoTime() - startNanos) / 1000;
        out.append(us / 1_000_000).append('.');
        String frac = Long.toString(us % 1_000_000);
        for (int i = frac.length(); i < 6; i++) out.append('0');
        return out.append(frac).append(" loop").append(loop).append(' ');
    }

    /** Ends a line with strace's result notation: {@code = 12} or {@code = -1 EAGAIN (Resource temporarily unavailable)}. */
    public void end(StringBuilder sb, long rc) {
        if (rc >= 0) {
            sb.append(" = ").append(rc).append('\n');
        } else {
            sb.append(" = -1 ").append(Errno.name((int) -rc)).append(" (").append(Errno.message((int) -rc)).append(")\n");
        }
    }

    @Override
    public void call(Sys kind, int fd, long n, long rc, long t0, long t1) {
        if (!follows(fd)) return;
        switch (kind) {
            case READ -> line("read", fd, n, null, rc);
            case SEND -> line("sendto", fd, n, "MSG_NOSIGNAL, NULL, 0", rc);
            case CLOSE -> {
                line("close", fd, -1, null, rc);
                unfollow(fd);
            }
            default -> { }
        }
    }

    @Override
    public void accept(int listenFd, int flags, int rc, long t0, long t1) {
        if (!accepting()) return;
        maybeFollow(rc);
        StringBuilder sb = begin();
        if (sb != null) {
            sb.append("accept4(").append(listenFd).append(", NULL, NULL, ")
              .append((flags & edgepoll.sys.Net.SOCK_NONBLOCK) != 0 ? "SOCK_CLOEXEC|SOCK_NONBLOCK)" : "SOCK_CLOEXEC)");
            end(sb, rc);
        }
    }

    @Override
    public void epollCtl(int epfd, int op, int fd, int events, int rc, long t0, long t1) {
        if (!follows(fd)) return;
        StringBuilder sb = begin();
        if (sb != null) {
            sb.append("epoll_ctl(").append(epfd).append(", EPOLL_CTL_").append(Epoll.ctlOp(op)).append(", ").append(fd)
              .append(", {events=").append(Epoll.describe(events)).append("})");
            end(sb, rc);
        }
    }

    @Override
    public void shutdown(int fd, int how, int rc, long t0, long t1) {
        if (follows(fd)) line("shutdown", fd, -1, how == edgepoll.sys.Net.SHUT_WR ? "SHUT_WR" : Integer.toString(how), rc);
    }

    @Override
    public void setsockopt(int fd, int level, int name, long value, int rc, long t0, long t1) {
        if (follows(fd)) {
            line("setsockopt", fd, -1, (name == edgepoll.sys.Net.TCP_CORK ? "IPPROTO_TCP, TCP_CORK, [" : level + ", " + name + ", [") + value + "], 4", rc);
        }
    }

    /** An enter serves every traced connection at once, so it is shown whenever one is followed. */
    @Override
    public void uringEnter(int ringFd, int toSubmit, int minComplete, int flags, long timeoutNanos, int rc, long t0, long t1) {
        if (!followsAny()) return;
        StringBuilder sb = begin();
        if (sb == null) return;
        sb.append("io_uring_enter(").append(ringFd).append(", ").append(toSubmit).append(", ")
          .append(minComplete).append(", 0x").append(Integer.toHexString(flags))
          .append(timeoutNanos < 0 ? ", NULL, 0)" : ", {ts=" + timeoutNanos / 1000 + "us}, 24)");
        end(sb, rc);
    }

    /** One line: {@code call(fd[, N][, rest]) = rc}. */
    private void line(String call, int fd, long n, String rest, long rc) {
        StringBuilder sb = begin();
        if (sb == null) return;
        sb.append(call).append('(').append(fd);
        if (n >= 0) sb.append(", ").append(n);
        if (rest != null) sb.append(", ").append(rest);
        sb.append(')');
        end(sb, rc);
    }

    @Override
    public void epollWait(int epfd, EpollEvents events, int max, int timeout, int rc, long t0, long t1) {
        epollWait(epfd, events, max, timeout, rc);
    }

    @Override
    public String output() {
        return text();
    }

    /** epoll_wait, listing only the events of followed fds (and how many others there were). */
    public void epollWait(int epfd, EpollEvents events, int max, int timeout, int rc) {
        boolean any = false;
        for (int i = 0; i < rc && !any; i++) any = follows(Token.fd(events.u64(i)));
        if (!any && rc >= 0) return;
        StringBuilder sb = begin();
        if (sb == null) return;
        sb.append("epoll_wait(").append(epfd).append(", [");
        int others = 0;
        boolean first = true;
        for (int i = 0; i < rc; i++) {
            long tag = events.u64(i);
            int fd = Token.fd(tag);
            if (!follows(fd)) {
                others++;
                continue;
            }
            if (!first) sb.append(", ");
            first = false;
            sb.append("{events=").append(Epoll.describe(events.events(i))).append(", data={fd=").append(fd)
              .append(", gen=").append(Token.generation(tag)).append("}}");
        }
        if (others > 0) sb.append(first ? "" : ", ").append("... ").append(others).append(" untraced");
        sb.append("], ").append(max).append(", ").append(timeout).append(')');
        end(sb, rc);
    }

    /** The trace text so far. */
    public String text() {
        return out.toString();
    }
}
