package edgepoll.worker;

import edgepoll.sys.CallState;
import edgepoll.sys.Net;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Opens a non-blocking listening socket (cold path, on the starting thread, with a short-lived
 * arena). The fd is handed to one event loop, which closes it when it stops.
 */
public final class Listener {
    private Listener() {}

    /** A bound, listening fd and the port it got. */
    public record Bound(int fd, int port) {}

    /**
     * socket, SO_REUSEADDR (and SO_REUSEPORT when several loops share the port), TCP_NODELAY when
     * asked (Linux copies it to every accepted socket, so it costs no syscall per connection), bind,
     * listen.
     *
     * @throws SyscallException naming the step, e.g. {@code cannot bind 127.0.0.1:8080: Address
     *         already in use (EADDRINUSE)}
     */
    public static Bound open(String host, int port, int backlog, boolean reusePort, boolean nodelay) throws SyscallException {
        return open(host, port, backlog, reusePort, nodelay, true);
    }

    /** As above; {@code nonBlocking = false} gives the blocking models a listener accept4 can block on. */
    public static Bound open(String host, int port, int backlog, boolean reusePort, boolean nodelay, boolean nonBlocking)
            throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            SockAddrs.SockAddr addr = SockAddrs.of(arena, host, port);
            String where = (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
            int fd = SyscallException.check("cannot create a socket for " + where,
                    Syscalls.socket(cs, addr.family(), Net.SOCK_STREAM | (nonBlocking ? Net.SOCK_NONBLOCK : 0) | Net.SOCK_CLOEXEC, 0));
            try {
                MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
                SyscallException.check("setsockopt(SO_REUSEADDR)", Syscalls.setsockopt(cs, fd, Net.SOL_SOCKET, Net.SO_REUSEADDR, one, 4));
                if (reusePort) {
                    SyscallException.check("setsockopt(SO_REUSEPORT)", Syscalls.setsockopt(cs, fd, Net.SOL_SOCKET, Net.SO_REUSEPORT, one, 4));
                }
                if (nodelay) {
                    SyscallException.check("setsockopt(TCP_NODELAY)", Syscalls.setsockopt(cs, fd, Net.IPPROTO_TCP, Net.TCP_NODELAY, one, 4));
                }
                SyscallException.check("cannot bind " + where, Syscalls.bind(cs, fd, addr.segment(), addr.length()));
                SyscallException.check("cannot listen on " + where, Syscalls.listen(cs, fd, backlog));
                return new Bound(fd, SockAddrs.localPort(cs, fd));
            } catch (SyscallException | RuntimeException e) {
                Syscalls.close(cs, fd);
                throw e;
            }
        }
    }
}
