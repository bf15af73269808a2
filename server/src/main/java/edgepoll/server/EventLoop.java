package edgepoll.server;

import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * The batch skeleton both epoll loops share: wait, dispatch each event, service owed work (ET),
 * expire timers, close what the batch scheduled to close. {@link EtLoop} and {@link LtLoop} differ
 * only in how they register fds and how far each readiness is drained; they read side by side
 * (same method names: onAcceptable, onReadable, onWritable).
 *
 * <p>Ownership: one thread. Its confined {@link Arena}, opened and closed in {@link #run()}, owns
 * the event array, the capture segment, the response templates and every connection buffer; the
 * loop owns its listener fd and epoll fd and closes them, and every connection fd, when it stops.
 * The wake eventfd belongs to the {@link Server}, which writes it to stop the loop.
 *
 * <p>Closing is deferred: a handler only marks a connection closed; its fd is closed after the
 * batch, so no fd number can be reused by an accept within the batch, and events that still refer
 * to it in the batch find it marked and are skipped. The generation in {@code data.u64} (see
 * {@link Poller#tag}) guards the same way across batches.
 */
abstract class EventLoop extends Worker {
    /** Lingering close: how long a closed-for-writing connection may take to send its FIN. */
    static final long LINGER_MS = 5_000;
    /** How long accepting pauses after EMFILE, ENFILE, ENOBUFS or ENOMEM, instead of spinning. */
    static final long ACCEPT_PAUSE_MS = 100;
    static final int DONE = 0, AGAIN = 1, CLOSED = 2;

    /** The eventfd {@link #requestStop} writes to interrupt the wait; owned by the Server. */
    final int wakeFd;
    /**
     * Batches completed, written with release semantics after each batch: a reader that reads it
     * with acquire semantics sees every counter update made before that batch ended. One
     * release store per wake-up, nothing per request.
     */
    @SuppressWarnings("unused")
    private long published;
    private static final java.lang.invoke.VarHandle PUBLISHED;

    static {
        try {
            PUBLISHED = java.lang.invoke.MethodHandles.lookup().findVarHandle(EventLoop.class, "published", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A copy of the counters as of the last completed batch; safe from any thread. */
    @Override
    SyscallCounters liveCounters() {
        SyscallCounters done = result;
        if (done != null) return done;
        if ((long) PUBLISHED.getAcquire(this) == 0) return new SyscallCounters();  // sys is set before the first release
        return sys.counters.snapshot();
    }

    LoopSyscalls sys;
    Poller poller;
    BufferPool pool;
    Protocol protocol;
    Connection[] conns = new Connection[1024];
    int open;
    long nowMs;
    private long second;
    TimerList idle;
    /** HTTP: connections waiting for a request head to complete (--header-timeout, slowloris). */
    TimerList header;
    /** A spare fd (an eventfd) closed at EMFILE so one more accept4 can take and shed a queued connection. */
    private int reserveFd = -1;
    /** Accepting paused because the process is out of fds: resumed as soon as a connection closes. */
    private boolean pausedForFds;
    /** Stop requested: no more accepting; connections end once their replies are sent, or at the deadline. */
    private long drainDeadline = -1;
    final TimerList linger = new TimerList(LINGER_MS);
    private int[] toClose = new int[256];
    private int toCloseCount;

    EventLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd);
        this.wakeFd = wakeFd;
    }

    @Override
    void requestStop(java.lang.foreign.MemorySegment callState) {
        stopRequested = true;
        try (Arena a = Arena.ofConfined()) {
            Syscalls.write(callState, wakeFd, a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_LONG, 1L), 8);
        }
    }

    @Override
    int[] fdsToCloseAfter() {
        return new int[] {wakeFd};
    }

    /** Creates what the loop waits with and registers the listener and the wake fd. */
    void setUp(Arena arena) throws SyscallException {
        poller = new Poller(arena, sys, options.maxEvents());
        SyscallException.check("epoll_ctl(ADD, listener)", poller.add(listenFd, listenMask(), Poller.tag(listenFd, 0)));
        SyscallException.check("epoll_ctl(ADD, eventfd)", poller.add(wakeFd, edgepoll.sys.Epoll.EPOLLIN, Poller.tag(wakeFd, 0)));
    }

    /** Waits (epoll_wait) and dispatches each event. */
    void awaitAndDispatch(int timeoutMs) throws SyscallException {
        int n = poller.await(timeoutMs);
        if (n < 0 && n != -Errno.EINTR) {
            throw new SyscallException("epoll_wait", -n);
        }
        now();
        for (int i = 0; i < n; i++) {
            long tag = poller.ready.u64(i);
            int fd = Poller.fdOf(tag);
            if (fd == listenFd) {
                onAcceptable();
            } else if (fd != wakeFd) {
                Connection c = fd < conns.length ? conns[fd] : null;
                if (c != null && c.generation == Poller.generationOf(tag) && c.state != Connection.CLOSED) {
                    onEvent(c, poller.ready.events(i));
                } else {
                    sys.counters.staleEvents++;
                }
            }
        }
    }

    /** Registers a new connection for readiness; returns 0 or -errno. */
    int register(Connection c) {
        int rc = poller.add(c.fd, registerMask(), Poller.tag(c.fd, c.generation));
        if (rc == 0) c.registered = registerMask();
        return rc;
    }

    /** Updates the connection's interest to {@code mask} (epoll bits); returns 0 or -errno. */
    int setInterest(Connection c, int mask) {
        return poller.modify(c, mask);
    }

    /** Reads the clocks once per wake-up; refreshes the protocol's Date once a second. */
    final void now() {
        nowMs = System.nanoTime() / 1_000_000;
        long s = System.currentTimeMillis() / 1000;
        if (s != second) {
            second = s;
            protocol.tick(s);
        }
    }

    /**
     * Connections in accept order with no gaps, for the models that visit every connection each turn
     * (poll, busy-poll). {@code c.activeIndex} is the position; removal swaps the last one in.
     */
    Connection[] active = new Connection[256];
    int activeCount;

    abstract int registerMask();

    abstract void onAcceptable();

    abstract void onEvent(Connection c, int events);

    /** Owed work serviced after each batch (ET); returns true while more is owed (wait with timeout 0). */
    boolean runOwed() {
        return false;
    }

    /** The epoll_wait timeout: -1 (block) unless timers or a paused accept need a wake-up. */
    int timeoutMs(boolean owed) {
        if (owed) return 0;
        long t = -1;
        if (idle != null) t = idle.untilNext(nowMs);
        if (header != null) {
            long h = header.untilNext(nowMs);
            if (h >= 0 && (t < 0 || h < t)) t = h;
        }
        long l = linger.untilNext(nowMs);
        if (l >= 0 && (t < 0 || l < t)) t = l;
        long a = acceptPauseRemaining();
        if (a >= 0 && (t < 0 || a < t)) t = a;
        return (int) Math.min(t, Integer.MAX_VALUE);
    }

    long acceptPausedUntil = -1;

    long acceptPauseRemaining() {
        return acceptPausedUntil < 0 ? -1 : Math.max(0, acceptPausedUntil - nowMs);
    }

    @Override
    public final void run() {
        try (Arena arena = Arena.ofConfined()) {
            tid = Syscalls.gettid();
            tracer = options.trace() != null ? new Tracer(index, options.traceConnections()) : null;
            sys = new LoopSyscalls(arena, tracer);
            pool = new BufferPool(arena, options.sliceSize());
            if (options.http()) {
                HttpResponses responses = new HttpResponses(arena, options.responseSize());
                protocol = new HttpProtocol(responses, options.maxHeaderBytes(), statsSource, false);
            } else {
                protocol = new EchoProtocol();
            }
            idle = options.idleTimeoutMs() > 0 ? new TimerList(options.idleTimeoutMs()) : null;
            header = options.http() && options.headerTimeoutMs() > 0 ? new TimerList(options.headerTimeoutMs()) : null;
            reserveFd = Syscalls.eventfd(edgepoll.sys.CallState.allocate(arena), 0, Net.EFD_CLOEXEC);
            setUp(arena);
            if (options.acceptPauseMs() > 0) acceptPausedUntil = System.nanoTime() / 1_000_000 + options.acceptPauseMs();
            started.countDown();
            loop();
        } catch (Throwable t) {
            failure = t;
            if (sys != null && result == null) {
                try {
                    shutdownAll();
                } catch (Throwable suppressed) {
                    t.addSuppressed(suppressed);
                }
            }
        } finally {
            allocatedBytes = currentThreadAllocatedBytes();
            started.countDown();
        }
    }

    abstract int listenMask();

    private void loop() throws SyscallException {
        boolean owed = false;
        now();
        while (true) {
            if (stopRequested && !draining()) break;
            awaitAndDispatch(drainDeadline >= 0 ? 10 : timeoutMs(owed));
            if (acceptPausedUntil >= 0 && nowMs >= acceptPausedUntil) {
                acceptPausedUntil = -1;
                onAcceptable();
            }
            owed = runOwed();
            expire();
            int closed = closeDeferred();
            sys.counters.bufferPoolBytes = pool.allocatedBytes();
            sys.counters.buffersInUse = pool.inUse();
            if (pausedForFds && closed > 0) {  // fds came free: accept again now, not after the pause
                pausedForFds = false;
                acceptPausedUntil = -1;
                onAcceptable();
                closeDeferred();
            }
            PUBLISHED.setRelease(this, (long) PUBLISHED.get(this) + 1);
        }
        shutdownAll();
    }

    /**
     * Graceful stop: on the first call the listener stops being served and every connection with
     * nothing in flight is closed; the loop then keeps running (10 ms waits) while replies drain,
     * at most {@link #DRAIN_MS}. Returns true while it should keep running.
     */
    private boolean draining() {
        if (drainDeadline < 0) {
            drainDeadline = nowMs + DRAIN_MS;
            acceptPausedUntil = Long.MAX_VALUE;  // accept nothing more
            for (int i = 0; i < activeCount; i++) {
                Connection c = active[i];
                if (!c.outputPending()) closeNow(c);
            }
            closeDeferred();
        }
        return open > 0 && nowMs < drainDeadline;
    }

    /** How long a stopping loop lets pending replies drain before it closes what is left. */
    static final long DRAIN_MS = 1_000;

    // ---- connections ------------------------------------------------------------------------

    /** A new socket from accept4: registered once, idle timer armed. */
    final void accepted(int fd) {
        if (fd >= conns.length) {
            conns = Arrays.copyOf(conns, Math.max(fd + 1, conns.length * 2));
        }
        if (options.maxConnections() > 0 && open >= options.maxConnections()) {
            sys.close(fd);  // over the limit: accepted and closed at once, counted (the client sees EOF)
            sys.counters.rejected++;
            return;
        }
        Connection c = conns[fd];
        if (c == null) {
            c = conns[fd] = new Connection(fd);
        }
        c.open();
        c.generation++;
        sys.counters.accepted++;
        open++;
        if (activeCount == active.length) active = Arrays.copyOf(active, activeCount * 2);
        c.activeIndex = activeCount;
        active[activeCount++] = c;
        if (register(c) < 0) {
            closeNow(c);
            return;
        }
        rearm(c);
    }

    /** Accept errors per accept(2): retry the transient ones, pause on resource exhaustion. Returns true to keep accepting. */
    final boolean acceptFailed(int rc) {
        int e = -rc;
        if (e == Errno.EINTR || e == Errno.ECONNABORTED || e == Errno.EPROTO || e == Errno.EPERM) {
            return true;
        }
        if (e == Errno.EMFILE || e == Errno.ENFILE) {
            shedAtFdLimit();
            pausedForFds = true;
        }
        // EMFILE, ENFILE, ENOBUFS, ENOMEM, or anything unexpected: retry after a pause, never spin.
        // Under ET this also keeps the listener's edge: the retry after the pause (or after the
        // first close, for EMFILE) drains what arrived meanwhile.
        acceptPausedUntil = nowMs + ACCEPT_PAUSE_MS;
        return false;
    }

    /**
     * Out of fds with connections queued: close the reserve fd, so each accept4 gets an fd, close
     * what it returns (the client sees EOF instead of hanging in the queue), until the queue is
     * empty, then take the reserve back (libuv's EMFILE trick; libev's "accept when you can't").
     * Bounded by {@link #SHED_BUDGET} per call so a flood cannot hold the loop.
     */
    private void shedAtFdLimit() {
        if (reserveFd < 0) return;
        sys.close(reserveFd);
        reserveFd = -1;
        for (int k = 0; k < SHED_BUDGET; k++) {
            int fd = sys.accept(listenFd);
            if (fd < 0) break;
            sys.close(fd);
            sys.counters.shed++;
        }
        try (Arena a = Arena.ofConfined()) {
            reserveFd = Syscalls.eventfd(edgepoll.sys.CallState.allocate(a), 0, Net.EFD_CLOEXEC);
        }
    }

    static final int SHED_BUDGET = 1024;

    /**
     * Reads once into the connection's input buffer (lent from the pool, compacted first).
     * Returns read's result; {@link #lastAsked} is the byte count asked for (short-read checks).
     */
    final long readSome(Connection c) {
        if (c.in == null) {
            c.in = pool.acquire();
        } else if (c.inPos > 0) {
            int left = c.inLen - c.inPos;
            if (left > 0) java.lang.foreign.MemorySegment.copy(c.in, c.inPos, c.in, 0, left);
            c.inPos = 0;
            c.inLen = left;
        }
        lastAsked = (int) c.in.byteSize() - c.inLen;
        long n = sys.read(c.fd, c.in, c.inLen, lastAsked);
        if (n > 0) {
            c.inLen += (int) n;
        } else if (c.inPos == c.inLen) {
            // The read that ends an ET drain (EAGAIN) or finds EOF brought nothing: give the buffer
            // back now, or every idle ET connection would keep one until its next event.
            pool.release(c.in);
            c.in = null;
            c.inPos = c.inLen = 0;
        }
        return n;
    }

    int lastAsked;

    /**
     * Sends queued replies and turns buffered input into more replies, until the input holds no
     * complete request or the socket's send buffer is full. Returns DONE, AGAIN (output still
     * pending: wait for writability) or CLOSED.
     */
    final int pump(Connection c) {
        int result = DONE;
        while (c.state == Connection.OPEN) {
            if (c.outputPending()) {
                result = flush(c);
                if (result != DONE) break;
            }
            if (c.closeAfterFlush) {
                finish(c);
                result = CLOSED;
                break;
            }
            if (c.buffered() == 0) break;
            if (c.out == null) c.out = pool.acquire();
            sys.counters.requests += protocol.process(c);
            if (!c.outputPending()) break;  // needs more input
            if (options.cork() && !c.corked && c.buffered() > 0) {
                sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 1);
                c.corked = true;
            }
        }
        if (c.corked && result != AGAIN && c.state == Connection.OPEN) {
            sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 0);
            c.corked = false;
        }
        releaseIdleBuffers(c);
        rearm(c);
        return result;
    }

    /**
     * Puts an open connection on the timer list its state calls for. Part of a request head buffered
     * → the header list, armed once when the head begins and not re-armed by further bytes (a
     * slowloris client sending one byte at a time still hits it). Otherwise → the idle list,
     * re-armed on every step of progress; without --idle-timeout, a connection that has not sent a
     * byte yet goes on the header list too (nginx's client_header_timeout). O(1).
     */
    final void rearm(Connection c) {
        if (c.state != Connection.OPEN) return;
        boolean quiet = !c.outputPending();
        if (header != null && quiet && c.buffered() > 0) {
            if (c.timerList != header) header.arm(c, nowMs);
        } else if (idle != null) {
            idle.arm(c, nowMs);
        } else if (header != null && quiet && c.requests == 0) {
            if (c.timerList != header) header.arm(c, nowMs);
        } else if (c.timerList != null) {
            c.timerList.remove(c);
        }
    }

    /** send until all queued bytes are gone (DONE), the kernel says EAGAIN (AGAIN) or the peer is gone (CLOSED). */
    final int flush(Connection c) {
        while (c.outPos < c.outLen) {
            long n = sys.send(c.fd, c.out, c.outPos, c.outLen - c.outPos);
            if (n > 0) {
                c.outPos += (int) n;
            } else if (n != -Errno.EINTR) {
                return sendFailed(c, n);
            }
        }
        c.outPos = c.outLen = 0;
        while (c.bodySent < c.bodyLength) {
            long n = sys.send(c.fd, c.body, c.bodySent, c.bodyLength - c.bodySent);
            if (n > 0) {
                c.bodySent += n;
            } else if (n != -Errno.EINTR) {
                return sendFailed(c, n);
            }
        }
        c.bodySent = c.bodyLength = 0;
        c.body = null;
        return DONE;
    }

    private int sendFailed(Connection c, long rc) {
        if (rc == -Errno.EAGAIN) {
            return AGAIN;
        }
        closeNow(c);  // EPIPE, ECONNRESET, ...: counted by errno in the counters
        return CLOSED;
    }

    /** Everything queued is sent and the connection must end: half-close and linger, or close. */
    private void finish(Connection c) {
        if (c.peerClosed || !protocol.isHttp()) {
            closeNow(c);
            return;
        }
        // shutdown(SHUT_WR) sends our FIN after the reply; reading on until the client's FIN keeps
        // unread client bytes from turning the close into an RST that could destroy the reply.
        sys.shutdown(c.fd, Net.SHUT_WR);
        c.state = Connection.LINGERING;
        c.inPos = c.inLen = 0;
        linger.arm(c, nowMs);
        lingerRead(c);
    }

    /** Reads and discards until EOF (then close), EAGAIN, or once under LT. */
    final void lingerRead(Connection c) {
        while (c.state == Connection.LINGERING) {
            c.inPos = c.inLen = 0;
            long n = readSome(c);
            if (n == 0 || (n < 0 && n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                closeNow(c);
            } else if (n == -Errno.EAGAIN || !drainsToEagain()) {
                break;
            }
        }
        c.inPos = c.inLen = 0;
        releaseIdleBuffers(c);
    }

    abstract boolean drainsToEagain();

    /** The peer closed its side (read returned 0): send what is queued, then close. */
    final void onEof(Connection c) {
        c.peerClosed = true;
        c.inPos = c.inLen = 0;  // an incomplete request can never complete
        if (c.outputPending()) {
            c.closeAfterFlush = true;
        } else {
            closeNow(c);
        }
    }

    private void releaseIdleBuffers(Connection c) {
        if (c.in != null && c.inPos == c.inLen) {
            pool.release(c.in);
            c.in = null;
            c.inPos = c.inLen = 0;
        }
        if (c.out != null && !c.outputPending()) {
            pool.release(c.out);
            c.out = null;
            c.outPos = c.outLen = 0;
        }
    }

    /** Marks {@code c} closed now; its fd is closed after the batch. */
    final void closeNow(Connection c) {
        if (c.state == Connection.CLOSED || c.state == Connection.FREE) return;
        c.state = Connection.CLOSED;
        if (c.timerList != null) c.timerList.remove(c);
        c.inPos = c.inLen = c.outPos = c.outLen = 0;
        c.bodySent = c.bodyLength = 0;
        c.body = null;
        releaseIdleBuffers(c);
        c.owed = c.readOwed = false;
        if (toCloseCount == toClose.length) toClose = Arrays.copyOf(toClose, toCloseCount * 2);
        toClose[toCloseCount++] = c.fd;
    }

    /** Closes the fds the batch marked; returns how many. */
    private int closeDeferred() {
        int n = toCloseCount;
        for (int i = 0; i < toCloseCount; i++) {
            Connection c = conns[toClose[i]];
            sys.close(c.fd);
            c.state = Connection.FREE;
            Connection last = active[--activeCount];
            active[c.activeIndex] = last;
            last.activeIndex = c.activeIndex;
            active[activeCount] = null;
            sys.counters.closed++;
            open--;
        }
        toCloseCount = 0;
        return n;
    }

    private void expire() {
        for (Connection c; (c = linger.expired(nowMs)) != null; ) closeNow(c);
        if (idle != null) {
            for (Connection c; (c = idle.expired(nowMs)) != null; ) closeNow(c);
        }
        if (header != null) {
            for (Connection c; (c = header.expired(nowMs)) != null; ) closeNow(c);
        }
    }

    /** Stop: close every connection, the listener and the epoll fd. */
    private void shutdownAll() {
        for (Connection c : conns) {
            if (c != null && (c.state == Connection.OPEN || c.state == Connection.LINGERING)) closeNow(c);
        }
        closeDeferred();
        sys.close(listenFd);
        if (reserveFd >= 0) sys.close(reserveFd);
        if (poller != null) poller.close();
        result = sys.counters.snapshot();
    }
}
