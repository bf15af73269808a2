package edgepoll.model;

import edgepoll.config.Mode;
import edgepoll.config.Options;
import edgepoll.proto.Exchange;
import edgepoll.proto.Protocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.worker.Worker;

import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One connection of a blocking model, served start to end on one thread: read, answer every
 * complete request, send it all, again, until EOF, an error, a read timeout or a closing reply.
 * The same {@link Protocol}s as the event loops, so the bytes on the wire are identical.
 *
 * <p>Owns the connection fd (closes it), and a confined arena with its buffers and capture segment,
 * closed when the connection ends: memory per connection is two buffers plus the thread's stack.
 */
final class BlockingSession implements Runnable {
    private static final long LINGER_NANOS = Worker.LINGER_MS * 1_000_000;

    final BlockingServer server;
    final int fd;
    private volatile LoopSyscalls sys;
    private boolean closed;  // guarded by this: interrupt() must never shut down a reused fd number
    // virtual-threads only: parking state shared with the poller thread
    volatile Thread thread;
    volatile boolean ready;
    boolean registered;
    EpollEvents ctlEvent;

    BlockingSession(BlockingServer server, int fd) {
        this.server = server;
        this.fd = fd;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        LoopSyscalls s = null;
        try (Arena arena = Arena.ofConfined()) {
            Options o = server.options;
            s = sys = new LoopSyscalls(arena, server.recorder, o.syscallLatency());
            if (server.virtual()) ctlEvent = new EpollEvents(arena, 1);
            if (o.readTimeoutMs() > 0 && !server.virtual()) s.setReceiveTimeout(fd, o.readTimeoutMs());
            Protocol p = Protocol.create(arena, o, server.statsSource, o.mode() == Mode.BLOCKING);
            Exchange c = new Exchange();
            c.in = arena.allocate(o.sliceSize());
            c.out = arena.allocate(o.sliceSize());
            serve(c, p, s);
            synchronized (this) {
                closed = true;
                closeFd(s);
            }
        } catch (Throwable t) {
            synchronized (this) {
                if (!closed && s != null) {
                    closed = true;
                    closeFd(s);
                }
            }
            if (server.failure == null && !server.stopRequested) server.failure = t;
        } finally {
            server.finished(this, s != null ? s.counters : new SyscallCounters());
        }
    }

    private void serve(Exchange c, Protocol p, LoopSyscalls s) {
        while (true) {
            if (c.inPos > 0) {
                int left = c.inLen - c.inPos;
                if (left > 0) MemorySegment.copy(c.in, c.inPos, c.in, 0, left);
                c.inPos = 0;
                c.inLen = left;
            }
            int space = (int) c.in.byteSize() - c.inLen;
            if (space == 0) return;  // full and unanswerable: end it here, not through a read of 0 bytes that looks like EOF
            long n = read(s, c.in, c.inLen, space, -1);
            if (n > 0) {
                c.inLen += (int) n;
                if (!answer(c, p, s)) return;
            } else if (n != -Errno.EINTR) {
                return;  // EOF, a read timeout (EAGAIN under SO_RCVTIMEO) or an error
            }
        }
    }

    /** Answers every complete request buffered; false when the connection must end. */
    private boolean answer(Exchange c, Protocol p, LoopSyscalls s) {
        while (true) {
            p.tick(System.currentTimeMillis() / 1000);
            int before = c.inPos;
            s.counters.addRequests(p.process(c));
            if (!sendAll(c, s)) return false;
            if (c.closeAfterFlush) {
                linger(c, s);
                return false;
            }
            if (c.inPos == before) return true;  // needs more input
        }
    }

    private boolean sendAll(Exchange c, LoopSyscalls s) {
        while (c.outPos < c.outLen) {
            long n = send(s, c.out, c.outPos, c.outLen - c.outPos);
            if (n > 0) c.outPos += (int) n;
            else if (n != -Errno.EINTR) return false;
        }
        c.outPos = c.outLen = 0;
        while (c.bodySent < c.bodyLength) {
            long n = send(s, c.body, c.bodySent, c.bodyLength - c.bodySent);
            if (n > 0) c.bodySent += n;
            else if (n != -Errno.EINTR) return false;
        }
        c.bodySent = c.bodyLength = 0;
        c.body = null;
        return true;
    }

    /** shutdown(SHUT_WR), then read until the client's FIN (at most Worker.LINGER_MS), then close. */
    private void linger(Exchange c, LoopSyscalls s) {
        s.shutdown(fd, Net.SHUT_WR);
        if (!server.virtual()) s.setReceiveTimeout(fd, Worker.LINGER_MS);
        long deadline = System.nanoTime() + LINGER_NANOS;
        while (System.nanoTime() < deadline) {
            long n = read(s, c.in, 0, c.in.byteSize(), deadline);
            if (n == 0 || (n < 0 && n != -Errno.EINTR)) return;
        }
    }

    private long read(LoopSyscalls s, MemorySegment buf, long offset, long len, long deadline) {
        while (true) {
            long n = s.read(fd, buf, offset, len);
            if (n != -Errno.EAGAIN || !server.virtual()) return n;
            if (!server.poller().await(this, s, Epoll.EPOLLIN | Epoll.EPOLLRDHUP, timeoutFor(deadline))) return n;
        }
    }

    private long send(LoopSyscalls s, MemorySegment buf, long offset, long len) {
        while (true) {
            long n = s.send(fd, buf, offset, len);
            if (n != -Errno.EAGAIN || !server.virtual()) return n;
            if (!server.poller().await(this, s, Epoll.EPOLLOUT, timeoutFor(-1))) return n;
        }
    }

    /** Nanoseconds to park: until the deadline, else --read-timeout, else forever (-1). */
    private long timeoutFor(long deadline) {
        if (deadline > 0) return Math.max(1, deadline - System.nanoTime());
        long t = server.options.readTimeoutMs();
        return t > 0 ? t * 1_000_000 : -1;
    }

    /**
     * close(2) of the connection. With --trace it is made under the shared recorder's lock: the
     * record follows connections by fd number, so a newer connection the acceptor gets with the
     * same number must be recorded after this close, never before it.
     */
    private void closeFd(LoopSyscalls s) {
        Object r = server.recorder;
        if (r == null) {
            s.close(fd);
        } else {
            synchronized (r) {
                s.close(fd);
            }
        }
    }

    /** Wakes this session from another thread if it is blocked (stop). */
    synchronized void interrupt() {
        if (!closed) BlockingServer.shutdownQuietly(fd);
    }

    /** Adds this session's counters (racy reads of monotonic longs) to {@code sum}. */
    void addCountersTo(SyscallCounters sum) {
        LoopSyscalls s = sys;
        if (s != null) sum.add(s.counters);
    }
}
