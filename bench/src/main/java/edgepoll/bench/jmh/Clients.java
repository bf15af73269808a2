package edgepoll.bench.jmh;

import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The benchmarks' client side: blocking TCP connections over edgepoll's own syscall layer, one
 * request template and one receive buffer in native memory owned by a shared arena that
 * {@link #close} frees. A round trip is a send and reads of exactly the known response length
 * (edgepoll's responses have a fixed length: the Date header is fixed-width), so the client parses
 * nothing and allocates nothing per request: it is not what the benchmark measures.
 */
final class Clients implements AutoCloseable {
    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment cs = CallState.allocate(arena);
    final int[] fds;
    private final MemorySegment request;
    private final long requestLength;
    private final MemorySegment buffer;
    final long responseLength;

    /** Opens {@code n} connections to 127.0.0.1:port; each send carries {@code depth} requests. */
    Clients(int port, int n, int depth, long maxResponse) throws SyscallException {
        fds = new int[n];
        SockAddrs.SockAddr addr = SockAddrs.of(arena, "127.0.0.1", port);
        MemorySegment one = arena.allocate(4);
        one.set(ValueLayout.JAVA_INT, 0, 1);
        for (int i = 0; i < n; i++) {
            fds[i] = SyscallException.check("socket", Syscalls.socket(cs, Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0));
            SyscallException.check("connect", Syscalls.connect(cs, fds[i], addr.segment(), addr.length()));
            SyscallException.check("setsockopt", Syscalls.setsockopt(cs, fds[i], Net.IPPROTO_TCP, Net.TCP_NODELAY, one, 4));
        }
        requestLength = (long) REQUEST.length * depth;
        request = arena.allocate(requestLength);
        for (int d = 0; d < depth; d++) {
            MemorySegment.copy(MemorySegment.ofArray(REQUEST), 0, request, (long) d * REQUEST.length, REQUEST.length);
        }
        buffer = arena.allocate(Math.max(1 << 16, maxResponse * depth + 1024));
        responseLength = learnResponseLength();
    }

    /** One request on the first connection, parsed once: head up to the blank line plus Content-Length. */
    private long learnResponseLength() throws SyscallException {
        send(fds[0], REQUEST.length);
        long got = 0;
        while (true) {
            long n = Syscalls.readAt(cs, fds[0], buffer, got, buffer.byteSize() - got);
            if (n <= 0) throw new SyscallException("read (learning the response length)", n == 0 ? Errno.ECONNRESET : (int) -n);
            got += n;
            String head = new String(buffer.asSlice(0, Math.min(got, 4096)).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) continue;
            if (!head.startsWith("HTTP/1.1 200 ")) throw new IllegalStateException("unexpected response: " + head);
            int cl = head.indexOf("Content-Length: ");
            long body = Long.parseLong(head.substring(cl + 16, head.indexOf('\r', cl)));
            long total = end + 4 + body;
            readExactly(fds[0], total - got);
            return total;
        }
    }

    private void send(int fd, long length) throws SyscallException {
        for (long sent = 0; sent < length; ) {
            long n = Syscalls.sendAt(cs, fd, request, sent, length - sent, Net.MSG_NOSIGNAL);
            if (n < 0 && n != -Errno.EINTR) throw new SyscallException("send", (int) -n);
            if (n > 0) sent += n;
        }
    }

    private void readExactly(int fd, long length) throws SyscallException {
        long cap = buffer.byteSize();
        for (long got = 0; got < length; ) {
            long n = Syscalls.readAt(cs, fd, buffer, 0, Math.min(cap, length - got));
            if (n == 0) throw new SyscallException("read: the server closed the connection", Errno.ECONNRESET);
            if (n < 0 && n != -Errno.EINTR) throw new SyscallException("read", (int) -n);
            if (n > 0) got += n;
        }
    }

    /** Sends {@code depth} requests on every connection, then reads every response; returns the bytes read. */
    long roundTripAll() throws SyscallException {
        for (int fd : fds) send(fd, requestLength);
        long per = responseLength * (requestLength / REQUEST.length);
        for (int fd : fds) readExactly(fd, per);
        return per * fds.length;
    }

    /** A round trip on one connection (the idle crowd's busy connections take turns). */
    long roundTrip(int i) throws SyscallException {
        send(fds[i], requestLength);
        long per = responseLength * (requestLength / REQUEST.length);
        readExactly(fds[i], per);
        return per;
    }

    @Override
    public void close() {
        for (int fd : fds) Syscalls.close(cs, fd);
        arena.close();
    }
}
