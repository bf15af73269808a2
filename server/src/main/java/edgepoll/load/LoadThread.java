package edgepoll.load;

import edgepoll.sys.CallState;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One generator thread: its own epoll instance, its share of the connections, level-triggered.
 *
 * <p>Each wake-up: for every readable connection, read until a short read (epoll(7): for a stream
 * socket a read shorter than asked means the socket is empty, so no read is spent on EAGAIN), frame
 * the responses and record each latency; then, after the whole batch, send on each of those
 * connections whatever it may now send, in one send(2) (the request template is {@code pipeline}
 * copies of the request, so k requests are one slice of it). The requests of a wake-up thus leave
 * together, as wrk's do (it writes them on the EPOLLOUT events of its next wake-up), and the server
 * finds them together instead of being woken for each. EPOLLOUT is asked for only while a send left
 * bytes behind.
 *
 * <p>Closed loop: every connection keeps {@code pipeline} requests in flight; latency runs from
 * the send. Open loop ({@code --rate}): this thread's requests are due at fixed intervals from its
 * start, dealt round-robin to its connections, and a request's latency runs from the moment it was
 * due, not from when it could be sent: a server that stalls makes every request due during the stall
 * late, as wrk2 measures it (coordinated omission). See {@link RateSchedule}.
 *
 * <p>Owns, from its confined arena, the event arrays, the read buffer (shared by its connections: a
 * read is framed before the next one), the request template and the capture segment; and the fds of
 * its connections, its epoll instance and its schedule's timerfd, closed when it ends. Nothing on the path of a
 * request allocates: the recorder is HdrHistogram's wait-free single-writer one.
 */
final class LoadThread implements Runnable {
    static final long MAX_LATENCY_NS = 3_600_000_000_000L;
    private static final int READ_BUFFER = 64 * 1024;
    /** Between connect attempts to a server that refuses, so a dead server does not make the thread spin. */
    private static final long RETRY_NS = 10_000_000;
    private static final int INPUT = Epoll.EPOLLIN | Epoll.EPOLLRDHUP;
    private static final int CLOSED = 0, READ = 1, WRITE = 2, MALFORMED = 3;
    /** Looked up once: each lookup allocates, and the last one would fall in the measured window. */
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    final int index;
    /** Latencies in nanoseconds; the coordinating thread takes interval histograms from it. */
    final SingleWriterRecorder latency = new SingleWriterRecorder(MAX_LATENCY_NS, 3);
    /** The measured window's counts; final once the thread ended. */
    final LoadCounters counters = new LoadCounters();
    /** Requests and errors so far, published once per wake-up for the progress line. */
    volatile long requestsSoFar;
    volatile long errorsSoFar;
    /** Heap bytes this thread allocated in the measured window; -1 until it ended. */
    volatile long allocatedBytes = -1;
    volatile Throwable failure;

    private final LoadOptions o;
    private final byte[] requestBytes;
    private final byte[] expectedBytes;
    private final LoadConnection[] conns;
    private final long measureAt;
    private final long endAt;
    /** This thread's share of --rate, requests/s; 0 = closed loop. */
    private final double rate;

    private MemorySegment cs;
    private EpollEvents ready;
    private EpollEvents ctl;
    private MemorySegment readBuf;
    private MemorySegment request;
    private MemorySegment expected;
    private MemorySegment optval;
    private MemorySegment optlen;
    private SockAddrs.SockAddr addr;
    private int epfd = -1;
    /** Open loop only. */
    private RateSchedule schedule;
    private boolean measuring;
    /**
     * Where counts and latencies go: the warm-up's own until the measured window opens, then
     * {@link #counters} and {@link #latency}. Switching objects instead of testing a flag on every
     * request keeps one code path, which the JIT has compiled by the end of the warm-up; a branch
     * first taken when the window opens would send compiled code back to the interpreter, whose
     * downcalls allocate, in the middle of the measurement.
     */
    private LoadCounters count = new LoadCounters();
    private SingleWriterRecorder sink = new SingleWriterRecorder(MAX_LATENCY_NS, 3);
    private long allocatedAtStart;
    /** Connections DOWN, waiting to reconnect. */
    private int down;
    /** Connections that read responses in this wake-up: their next requests leave together after the batch. */
    private final int[] toFlush;
    private int queuedCount;

    /**
     * @param request  one request (http) or message (echo)
     * @param expected echo: the reply one message must get; null for http
     * @param rate     this thread's share of --rate, requests/s; 0 = closed loop
     */
    LoadThread(int index, LoadOptions o, int connections, byte[] request, byte[] expected, double rate,
               long measureAt, long endAt) {
        this.index = index;
        this.o = o;
        this.requestBytes = request;
        this.expectedBytes = expected;
        this.measureAt = measureAt;
        this.endAt = endAt;
        this.rate = rate;
        this.conns = new LoadConnection[connections];
        this.toFlush = new int[connections];
        for (int i = 0; i < connections; i++) conns[i] = new LoadConnection(i, o.pipeline(), o.http());
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            try {
                setUp(arena);
                loop();
            } finally {
                for (LoadConnection c : conns) {
                    if (c.fd >= 0) Syscalls.close(cs, c.fd);
                }
                if (schedule != null) schedule.close();
                if (epfd >= 0) Syscalls.close(cs, epfd);
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void setUp(Arena arena) throws SyscallException {
        cs = CallState.allocate(arena);
        ready = new EpollEvents(arena, Math.min(conns.length + 1, 1024));
        ctl = new EpollEvents(arena, 1);
        readBuf = arena.allocate(READ_BUFFER, 64);
        request = arena.allocate((long) requestBytes.length * o.pipeline(), 64);
        for (int i = 0; i < o.pipeline(); i++) {
            MemorySegment.copy(requestBytes, 0, request, ValueLayout.JAVA_BYTE, (long) i * requestBytes.length, requestBytes.length);
        }
        expected = expectedBytes == null ? null : arena.allocate(expectedBytes.length).copyFrom(MemorySegment.ofArray(expectedBytes));
        optval = arena.allocate(ValueLayout.JAVA_INT);
        optlen = arena.allocate(ValueLayout.JAVA_INT);
        addr = SockAddrs.of(arena, o.host(), o.port());
        epfd = SyscallException.check("epoll_create1", Syscalls.epollCreate1(cs, Epoll.EPOLL_CLOEXEC));
        if (rate > 0) schedule = new RateSchedule(arena, cs, epfd, ctl, conns.length, rate, conns.length);
        long now = System.nanoTime();
        if (schedule != null) schedule.start(now);
        measureFrom(now);  // without warm-up, the first requests count
        for (LoadConnection c : conns) connect(c, now);
    }

    private void loop() throws SyscallException {
        while (turn()) {
            // one wake-up per turn
        }
        if (measuring) allocatedBytes = threadAllocatedBytes() - allocatedAtStart;
    }

    /**
     * One wake-up of the loop; false once the run is over. A method of its own, so that the JIT
     * compiles it from its call count, not only by on-stack replacement of a loop that never returns.
     */
    private boolean turn() throws SyscallException {
        long now = System.nanoTime();
        if (now >= endAt) return false;
        measureFrom(now);
        if (down > 0) reconnect(now);
        if (schedule != null) issue(now);
        int n = Syscalls.epollWait(cs, epfd, ready.segment(), ready.capacity(), timeoutMs(now));
        if (n < 0) {
            if (n == -Errno.EINTR) return true;
            throw new SyscallException("epoll_wait", -n);
        }
        for (int i = 0; i < n; i++) dispatch(ready.events(i), ready.u64(i));
        for (int i = 0; i < queuedCount; i++) {
            LoadConnection c = conns[toFlush[i]];
            c.queued = false;
            flush(c);
        }
        queuedCount = 0;
        requestsSoFar = counters.requests;
        errorsSoFar = counters.errors();
        return true;
    }

    /** Opens the measured window once {@code now} reached it. */
    private void measureFrom(long now) {
        if (!measuring && now >= measureAt) {
            measuring = true;
            count = counters;
            sink = latency;
            allocatedAtStart = threadAllocatedBytes();
        }
    }

    private int timeoutMs(long now) {
        long until = (measuring ? endAt : measureAt) - now;
        if (down > 0) until = Math.min(until, RETRY_NS);
        return (int) Math.max(0, Math.min(1000, (until + 999_999) / 1_000_000));
    }

    private void dispatch(int events, long tag) {
        int i = (int) tag;
        if (i == conns.length) return;  // the timerfd: issue() runs before the next wait
        LoadConnection c = conns[i];
        if ((int) (tag >>> 32) != c.generation || c.state == LoadConnection.DOWN) return;  // an earlier fd's
        if (c.state == LoadConnection.CONNECTING) {
            finishConnect(c);
        } else if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0) {
            readable(c);
        } else {
            flush(c);
        }
    }

    private void connect(LoadConnection c, long now) throws SyscallException {
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
            if (rc == 0) flush(c);
        } else {
            connectFailed(c, now);
        }
    }

    private void finishConnect(LoadConnection c) {
        optlen.set(ValueLayout.JAVA_INT, 0, 4);
        int rc = Syscalls.getsockopt(cs, c.fd, Net.SOL_SOCKET, Net.SO_ERROR, optval, optlen);
        if (rc < 0 || optval.get(ValueLayout.JAVA_INT, 0) != 0) {
            connectFailed(c, System.nanoTime());
            return;
        }
        c.state = LoadConnection.UP;
        interest(c, INPUT);
        flush(c);
    }

    private void connectFailed(LoadConnection c, long now) {
        count.connectErrors++;
        drop(c);
        c.retryAt = now + RETRY_NS;
    }

    /** A connection the server closed or broke: counted, then replaced at the top of the next turn. */
    private void fail(LoadConnection c, int why) {
        switch (why) {
            case CLOSED -> count.closed++;
            case READ -> count.readErrors++;
            case WRITE -> count.writeErrors++;
            default -> count.malformed++;
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

    private void reconnect(long now) throws SyscallException {
        for (LoadConnection c : conns) {
            if (c.state == LoadConnection.DOWN && c.retryAt <= now) {
                down--;
                count.reconnects++;
                connect(c, now);
            }
        }
    }

    private void readable(LoadConnection c) {
        while (true) {
            long n = Syscalls.readAt(cs, c.fd, readBuf, 0, READ_BUFFER);
            if (n > 0) {
                long t = System.nanoTime();
                count.bytesIn += n;
                if (!(o.http() ? frameHttp(c, n, t) : frameEcho(c, n, t))) {
                    fail(c, MALFORMED);
                    return;
                }
                if (n < READ_BUFFER) break;
            } else if (n == 0) {
                fail(c, CLOSED);
                return;
            } else if (n == -Errno.EAGAIN) {
                break;
            } else if (n != -Errno.EINTR) {
                fail(c, READ);
                return;
            }
        }
        if (!c.queued) {
            c.queued = true;
            toFlush[queuedCount++] = c.index;
        }
    }

    private boolean frameHttp(LoadConnection c, long n, long t) {
        long pos = 0;
        while (pos < n) {
            long end = c.http.parse(readBuf, pos, n);
            if (end == HttpResponseParser.NEED_MORE) return true;
            if (end == HttpResponseParser.MALFORMED || c.inFlight == 0) return false;
            int status = c.http.status;
            completed(c, t, status < 200 || status > 299, false);
            pos = end;
        }
        return true;
    }

    /** Echo: each message is complete when as many bytes came back; each byte must be the upper-cased one. */
    private boolean frameEcho(LoadConnection c, long n, long t) {
        int size = expectedBytes.length;
        long pos = 0;
        while (pos < n) {
            if (c.inFlight == 0) return false;
            int take = (int) Math.min(size - c.echoed, n - pos);
            if (MemorySegment.mismatch(readBuf, pos, pos + take, expected, c.echoed, c.echoed + take) >= 0) {
                c.echoBad = true;
            }
            c.echoed += take;
            pos += take;
            if (c.echoed == size) {
                boolean bad = c.echoBad;
                c.echoed = 0;
                c.echoBad = false;
                completed(c, t, false, bad);
            }
        }
        return true;
    }

    private void completed(LoadConnection c, long t, boolean non2xx, boolean mismatch) {
        long start = c.pop();
        count.requests++;
        if (non2xx) count.non2xx++;
        if (mismatch) count.mismatches++;
        sink.recordValue(Math.min(Math.max(t - start, 0), MAX_LATENCY_NS));
    }

    /** Sends what the connection may send now (new requests and any unsent rest) in one send(2). */
    private void flush(LoadConnection c) {
        if (c.state != LoadConnection.UP) return;
        int room = o.pipeline() - c.inFlight;
        long k = schedule != null ? Math.min(room, c.assigned - c.sent) : room;
        if (k > 0) {
            long now = System.nanoTime();
            for (int j = 0; j < k; j++) c.push(schedule != null ? schedule.due(c, c.sent + j) : now);
            c.sent += k;
            c.unsent += k * requestBytes.length;
        }
        if (c.unsent == 0) return;
        long n = Syscalls.sendAt(cs, c.fd, request, request.byteSize() - c.unsent, c.unsent, Net.MSG_NOSIGNAL);
        if (n > 0) {
            c.unsent -= n;
            count.bytesOut += n;
        } else if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
            fail(c, WRITE);
            return;
        }
        interest(c, c.unsent > 0 ? INPUT | Epoll.EPOLLOUT : INPUT);
    }

    private void interest(LoadConnection c, int mask) {
        if (c.registered == mask) return;
        ctl.set(0, mask, c.tag());
        if (Syscalls.epollCtl(cs, epfd, Epoll.EPOLL_CTL_MOD, c.fd, ctl.segment()) == 0) c.registered = mask;
    }

    /** Open loop: deals the requests due by {@code now} and sends them. */
    private void issue(long now) {
        long from = schedule.deal(now, conns);
        long to = schedule.issued();
        if (to - from >= conns.length) {
            for (LoadConnection c : conns) flush(c);
        } else {
            for (long k = from; k < to; k++) flush(conns[(int) (k % conns.length)]);
        }
    }

    private static long threadAllocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
