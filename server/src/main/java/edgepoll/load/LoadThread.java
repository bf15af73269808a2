package edgepoll.load;

import edgepoll.sys.CallState;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One generator thread: its own epoll instance, its share of the connections, level-triggered.
 *
 * <p>Each wake-up: for every readable connection, read until a short read and frame the responses,
 * recording each latency ({@link Receiver}, {@link LoadRecorder}); then, after the whole batch, send
 * on each of those connections whatever it may now send, in one send(2) ({@link Sender}). The
 * requests of a wake-up thus leave together, as wrk's do (it writes them on the EPOLLOUT events of
 * its next wake-up), and the server finds them together instead of being woken for each.
 * Connections that fail are counted and replaced ({@link Connector}).
 *
 * <p>Closed loop: every connection keeps {@code pipeline} requests in flight; latency runs from
 * the send. Open loop ({@code --rate}): this thread's requests are due at fixed intervals from its
 * start, dealt round-robin to its connections, and a request's latency runs from the moment it was
 * due, not from when it could be sent: a server that stalls makes every request due during the stall
 * late, as wrk2 measures it (coordinated omission). See {@link RateSchedule}.
 *
 * <p>Owns, from its confined arena, the event arrays, the read buffer, the request template and the
 * capture segment; and the fds of its connections, its epoll instance and its schedule's timerfd,
 * closed when it ends. Nothing on the path of a request allocates: the recorder is HdrHistogram's
 * wait-free single-writer one.
 */
final class LoadThread implements Runnable {
    static final long MAX_LATENCY_NS = 3_600_000_000_000L;

    final int index;
    private final LoadRecorder rec;
    /** Latencies in nanoseconds; the coordinating thread takes interval histograms from it. */
    final SingleWriterRecorder latency;
    /** The measured window's counts; final once the thread ended. */
    final LoadCounters counters;
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
    private int epfd = -1;
    /** Open loop only. */
    private RateSchedule schedule;
    private Connector connector;
    private Sender sender;
    private Receiver receiver;

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
        this.rec = new LoadRecorder(measureAt);
        this.latency = rec.latency;
        this.counters = rec.counters;
        this.conns = new LoadConnection[connections];
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
        EpollEvents ctl = new EpollEvents(arena, 1);
        MemorySegment readBuf = arena.allocate(Receiver.READ_BUFFER, 64);
        MemorySegment request = arena.allocate((long) requestBytes.length * o.pipeline(), 64);
        for (int i = 0; i < o.pipeline(); i++) {
            MemorySegment.copy(requestBytes, 0, request, ValueLayout.JAVA_BYTE, (long) i * requestBytes.length, requestBytes.length);
        }
        MemorySegment expected = expectedBytes == null ? null
                : arena.allocate(expectedBytes.length).copyFrom(MemorySegment.ofArray(expectedBytes));
        MemorySegment optval = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment optlen = arena.allocate(ValueLayout.JAVA_INT);
        SockAddrs.SockAddr addr = SockAddrs.of(arena, o.host(), o.port());
        epfd = SyscallException.check("epoll_create1", Syscalls.epollCreate1(cs, Epoll.EPOLL_CLOEXEC));
        if (rate > 0) schedule = new RateSchedule(arena, cs, epfd, ctl, conns.length, rate, conns.length);
        connector = new Connector(cs, epfd, ctl, addr, optval, optlen, conns, rec);
        sender = new Sender(cs, request, requestBytes.length, o.pipeline(), conns, schedule, connector, rec);
        connector.sender = sender;
        receiver = new Receiver(cs, readBuf, o.http(), expected, connector, sender, rec);
        long now = System.nanoTime();
        if (schedule != null) schedule.start(now);
        rec.measureFrom(now);  // without warm-up, the first requests count
        for (LoadConnection c : conns) connector.connect(c, now);
    }

    private void loop() throws SyscallException {
        while (turn()) {
            // one wake-up per turn
        }
        if (rec.measuring()) allocatedBytes = rec.allocatedInWindow();
    }

    /**
     * One wake-up of the loop; false once the run is over. A method of its own, so that the JIT
     * compiles it from its call count, not only by on-stack replacement of a loop that never returns.
     */
    private boolean turn() throws SyscallException {
        long now = System.nanoTime();
        if (now >= endAt) return false;
        rec.measureFrom(now);
        if (connector.down() > 0) connector.reconnect(now);
        if (schedule != null) sender.issue(now);
        int n = Syscalls.epollWait(cs, epfd, ready.segment(), ready.capacity(), timeoutMs(now));
        if (n < 0) {
            if (n == -Errno.EINTR) return true;
            throw new SyscallException("epoll_wait", -n);
        }
        for (int i = 0; i < n; i++) dispatch(ready.events(i), ready.u64(i));
        sender.flushLater();
        requestsSoFar = counters.requests;
        errorsSoFar = counters.errors();
        return true;
    }

    private int timeoutMs(long now) {
        long until = (rec.measuring() ? endAt : measureAt) - now;
        if (connector.down() > 0) until = Math.min(until, Connector.RETRY_NS);
        return (int) Math.max(0, Math.min(1000, (until + 999_999) / 1_000_000));
    }

    private void dispatch(int events, long tag) {
        int i = (int) tag;
        if (i == conns.length) return;  // the timerfd: issue() runs before the next wait
        LoadConnection c = conns[i];
        if ((int) (tag >>> 32) != c.generation || c.state == LoadConnection.DOWN) return;  // an earlier fd's
        if (c.state == LoadConnection.CONNECTING) {
            connector.finishConnect(c);
        } else if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0) {
            receiver.readable(c);
        } else {
            sender.flush(c);
        }
    }
}
