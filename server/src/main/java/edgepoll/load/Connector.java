package edgepoll.load;

import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The life of a generator thread's connections in its epoll set: non-blocking connect(2) and its
 * completion, the interest mask the kernel holds, and a failed or closed connection counted, closed
 * and replaced (at once after the server closed or broke it; after {@link #RETRY_NS} when the connect
 * itself failed, so a dead server does not make the thread spin). Its segments come from the thread's
 * arena; the fds it opens are closed by the thread when it ends.
 */
final class Connector {
    /** Between connect attempts to a server that refuses, so a dead server does not make the thread spin. */
    static final long RETRY_NS = 10_000_000;
    static final int INPUT = Epoll.EPOLLIN | Epoll.EPOLLRDHUP;
    /** Why a connection failed, for {@link #fail}. */
    static final int CLOSED = 0, READ = 1, WRITE = 2, MALFORMED = 3;

    private final MemorySegment cs;
    private final int epfd;
    private final EpollEvents ctl;
    private final SockAddrs.SockAddr addr;
    private final MemorySegment optval;
    private final MemorySegment optlen;
    private final LoadConnection[] conns;
    private final LoadRecorder rec;
    /** Sends on a connection the moment it is up; set once, before the first connect. */
    Sender sender;
    /** Connections DOWN, waiting to reconnect. */
    private int down;

    Connector(MemorySegment cs, int epfd, EpollEvents ctl, SockAddrs.SockAddr addr, MemorySegment optval,
              MemorySegment optlen, LoadConnection[] conns, LoadRecorder rec) {
        this.cs = cs;
        this.epfd = epfd;
        this.ctl = ctl;
        this.addr = addr;
        this.optval = optval;
        this.optlen = optlen;
        this.conns = conns;
        this.rec = rec;
    }

    int down() {
        return down;
    }

    void connect(LoadConnection c, long now) throws SyscallException {
        int fd = SyscallException.check("socket", Syscalls.socket(cs, addr.family(),
                Net.SOCK_STREAM | Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC, 0));
        optval.set(ValueLayout.JAVA_INT, 0, 1);
        Syscalls.setsockopt(cs, fd, Net.IPPROTO_TCP, Net.TCP_NODELAY, optval, 4);  // each send leaves at once
        c.fd = fd;
        c.generation++;
        int rc = Syscalls.connect(cs, fd, addr.segment(), addr.length());
        if (rc == 0 || rc == -Errno.EINPROGRESS) {
            c.state = rc == 0 ? LoadConnection.UP : LoadConnection.CONNECTING;
            c.registered = rc == 0 ? INPUT : Epoll.EPOLLOUT;
            ctl.set(0, c.registered, c.tag());
            SyscallException.check("epoll_ctl(ADD)", Syscalls.epollCtl(cs, epfd, Epoll.EPOLL_CTL_ADD, fd, ctl.segment()));
            if (rc == 0) sender.flush(c);
        } else {
            connectFailed(c, now);
        }
    }

    /** A CONNECTING connection's socket became writable: the connect completed or failed. */
    void finishConnect(LoadConnection c) {
        optlen.set(ValueLayout.JAVA_INT, 0, 4);
        int rc = Syscalls.getsockopt(cs, c.fd, Net.SOL_SOCKET, Net.SO_ERROR, optval, optlen);
        if (rc < 0 || optval.get(ValueLayout.JAVA_INT, 0) != 0) {
            connectFailed(c, System.nanoTime());
            return;
        }
        c.state = LoadConnection.UP;
        interest(c, INPUT);
        sender.flush(c);
    }

    private void connectFailed(LoadConnection c, long now) {
        rec.count.connectErrors++;
        drop(c);
        c.retryAt = now + RETRY_NS;
    }

    /** A connection the server closed or broke: counted, then replaced at the top of the next turn. */
    void fail(LoadConnection c, int why) {
        switch (why) {
            case CLOSED -> rec.count.closed++;
            case READ -> rec.count.readErrors++;
            case WRITE -> rec.count.writeErrors++;
            default -> rec.count.malformed++;
        }
        drop(c);
        c.retryAt = 0;
    }

    private void drop(LoadConnection c) {
        Syscalls.close(cs, c.fd);  // also removes it from the epoll set: nothing else holds this file
        c.fd = -1;
        c.state = LoadConnection.DOWN;
        c.forget();
        down++;
    }

    /** Connects again every DOWN connection whose retry time came. */
    void reconnect(long now) throws SyscallException {
        for (LoadConnection c : conns) {
            if (c.state == LoadConnection.DOWN && c.retryAt <= now) {
                down--;
                rec.count.reconnects++;
                connect(c, now);
            }
        }
    }

    void interest(LoadConnection c, int mask) {
        if (c.registered == mask) return;
        ctl.set(0, mask, c.tag());
        if (Syscalls.epollCtl(cs, epfd, Epoll.EPOLL_CTL_MOD, c.fd, ctl.segment()) == 0) c.registered = mask;
    }
}
