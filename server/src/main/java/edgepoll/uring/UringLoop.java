package edgepoll.uring;

import edgepoll.config.Options;
import edgepoll.proto.Protocol;
import edgepoll.stats.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.Tracer;
import edgepoll.stats.UringOp;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.sys.uring.BufferRing;
import edgepoll.sys.uring.Cqe;
import edgepoll.sys.uring.Prep;
import edgepoll.sys.uring.Ring;
import edgepoll.worker.BufferPool;
import edgepoll.worker.PublishingWorker;
import edgepoll.worker.Worker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * {@code --mode uring}: one thread drives one io_uring. It is a {@link Worker} like the epoll
 * EventLoop but not built on {@code edgepoll.loop.Readiness}: io_uring is completion-based. The
 * loop does not ask which fds are ready and then call read/send; it keeps requests in the ring
 * (one multishot accept on the listener, one multishot recv per connection into a provided-buffer
 * ring, a send while replies are queued) and is told when each one has done its work. A readiness
 * backend's "add/modify/remove interest" has nothing to map to.
 *
 * <p><b>One turn.</b> Every SQE prepared during the turn is submitted by the one io_uring_enter
 * that also waits for at least one completion (with {@code IORING_ENTER_EXT_ARG}'s timeout when a
 * timer is armed, 10 ms while draining at stop); the completions are reaped, each connection they
 * touched is driven once (input copied from the provided buffers into the connection's buffer,
 * the {@link Protocol} run, a send prepared), the timers expire, and the turn ends. No other
 * syscall is made while connections only exchange requests and replies; shutdown and close go
 * through the ring as well. Syscalls outside the ring: close(2) of a connection refused at
 * --max-connections, read(2) of the wake eventfd after a wake-up, and the set-up and tear-down.
 *
 * <p><b>Requests and their lifetime.</b> The user_data is op, slot and generation ({@link UserData}).
 * A connection's slot is reused only after every request submitted for it completed
 * ({@link UringConnection#ops}), and its buffers go back to the pool only then: the kernel may still
 * read a send's bytes after the connection was closed. Closing is an {@code ASYNC_CANCEL} of every
 * request on the fd (while any is in the ring) followed, in the same submission, by an
 * {@code IORING_OP_CLOSE}: the cancel matches by fd number while the number is still ours.
 *
 * <p><b>Backpressure.</b> A multishot recv cannot be told to pause. A connection that holds
 * {@link #HOLD_LIMIT} provided buffers it cannot use yet (its replies are not sent) has its recv
 * cancelled, and re-armed once the held bytes were consumed; a recv that ends with ENOBUFS (the
 * buffer ring ran dry) is re-armed after buffers came back.
 *
 * <p>Ownership: the loop thread owns its confined arena (connection buffers, response templates),
 * the ring and the buffer ring (opened and closed on it: {@code SINGLE_ISSUER}), the listener fd and
 * every connection fd. The wake eventfd belongs to the Server, as for the epoll loops.
 */
public final class UringLoop extends PublishingWorker implements Ring.CompletionHandler {
    /** How long a stopping loop lets pending replies drain before it closes what is left. */
    static final long DRAIN_MS = 1_000;
    /** Provided buffers a connection may hold unconsumed before its recv is cancelled. */
    static final int HOLD_LIMIT = 4;
    static final short BUFFER_GROUP = 1;
    /** The longest wait for one more completion after quiet sends (see loop()). */
    static final long QUIET_WAIT_NANOS = 1_000_000L;
    private static final int ACCEPT_FLAGS = Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC;
    private static final int SEND_FLAGS = Net.MSG_NOSIGNAL | Net.MSG_WAITALL;


    /** --trace: the text tracer, whose CQE lines are the ring's own (the Worker's {@code tracer} is the same object). */
    private Tracer text;
    private LoopSyscalls sys;
    private SyscallCounters counters;
    private Ring ring;
    private MemorySegment sqes;
    private BufferRing buffers;
    private MemorySegment provided;
    /** Provided buffers handed back since the last publish. */
    private int recycledCount;
    /** Provided buffers the kernel gave us (in CQEs) and we have not handed back. */
    private int buffersHeld;
    private BufferPool pool;
    private Protocol protocol;
    private MemorySegment wakeCounter;
    private long nowMs;
    private long second;

    private UringConnection[] slots = new UringConnection[64];
    private int slotCount;
    private int[] freeSlots = new int[64];
    private int freeCount;
    /** Connections accepted and not yet closed (their close CQE not reaped). */
    private int open;
    private UringConnection[] dirty = new UringConnection[64];
    private int dirtyCount;
    private UringConnection[] starved = new UringConnection[16];
    private int starvedCount;

    private UringTimers idle, header;
    private final UringTimers linger = new UringTimers(LINGER_MS);

    private boolean acceptArmed, acceptCancelling;
    /** Accept nothing before this (loop ms); -1: not paused; Long.MAX_VALUE: stopping. */
    private long acceptPausedUntil = -1;
    private boolean wakeArmed;
    /** Sends prepared this turn whose completion needs no follow-up (see loop()). */
    private int quietSends;
    private long drainDeadline = -1;

    public UringLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd, wakeFd);
    }

    /**
     * Throws, with a one-line message, when this kernel or its seccomp policy refuses io_uring
     * (io_uring_setup fails with EPERM, EACCES or ENOSYS). Made once by the Server before it starts
     * uring loops, on its own thread.
     */
    public static void checkAvailable() throws SyscallException {
        try (Ring r = Ring.open(8, 0, 0)) {
            // set up and mapped: io_uring works here
        } catch (SyscallException e) {
            throw new SyscallException("--mode uring: io_uring is refused here (io_uring_setup)", e.errno());
        }
    }

    @Override
    public void run() {
        onOwnThread();
        try (Arena arena = Arena.ofConfined()) {
            text = options.trace() != null ? new Tracer(index, options.traceConnections()) : null;  // text only (Options refuses perfetto here)
            tracer = text;
            sys = new LoopSyscalls(arena, text);
            counters = sys.counters;
            tid = Syscalls.gettid();
            nowMs = System.nanoTime() / 1_000_000;
            int flags = options.sqpoll() ? Ring.SETUP_SQPOLL | Ring.SETUP_SINGLE_ISSUER | Ring.SETUP_SUBMIT_ALL
                    : Ring.SETUP_SINGLE_ISSUER | Ring.SETUP_DEFER_TASKRUN | Ring.SETUP_SUBMIT_ALL;
            ring = sys.uringSetup(options.uringEntries(), flags, 1000);
            sqes = ring.sqes();
            buffers = sys.uringRegisterBuffers(ring, BUFFER_GROUP, Math.max(256, Integer.highestOneBit(options.uringEntries()) * 2), options.bufferSize());
            provided = buffers.buffers();
            pool = new BufferPool(arena, options.sliceSize());
            protocol = Protocol.create(arena, options, statsSource, false);
            wakeCounter = arena.allocate(ValueLayout.JAVA_LONG);
            idle = options.idleTimeoutMs() > 0 ? new UringTimers(options.idleTimeoutMs()) : null;
            header = options.http() && options.headerTimeoutMs() > 0 ? new UringTimers(options.headerTimeoutMs()) : null;
            tick();
            if (options.acceptPauseMs() > 0) acceptPausedUntil = nowMs + options.acceptPauseMs();
            armWake();
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

    private void loop() throws SyscallException {
        while (true) {
            if (stopRequested && drainDeadline < 0) beginDrain();
            if (drainDeadline >= 0 && (open == 0 || nowMs >= drainDeadline)) break;
            prepareTurn();
            long timeout = drainDeadline >= 0 ? 10_000_000L : untilNextDeadlineNanos();
            // A quiet send (a reply after which its connection has nothing left to do) completes inside
            // this enter, as a rule, and its CQE only frees a buffer: it need not end the wait. But a
            // send that meets a full socket does not complete, and the CQE that then ends the wait may
            // call for new SQEs (an accept's recv): so such a wait lasts at most QUIET_WAIT_NANOS.
            int min = ring.cqReady() > 0 ? 0 : 1 + quietSends;
            if (quietSends > 0) timeout = timeout < 0 ? QUIET_WAIT_NANOS : Math.min(timeout, QUIET_WAIT_NANOS);
            if (starvedCount > 0) timeout = timeout < 0 ? QUIET_WAIT_NANOS : Math.min(timeout, QUIET_WAIT_NANOS);  // re-arm the rest soon
            int rc = sys.uringEnter(ring, min, timeout);
            quietSends = 0;
            if (rc < 0 && rc != -Errno.EINTR && rc != -Errno.ETIME && rc != -Errno.EAGAIN && rc != -Errno.EBUSY) {
                throw new SyscallException("io_uring_enter", -rc);
            }
            tick();
            reap();
            expire();
            counters.setBufferPool(pool.allocatedBytes(), pool.inUse());
            if (published.wanted()) published.publish(counters);
        }
        shutdownAll();
    }

    /** Before the enter: the listener's accept and starved recvs re-armed, recycled buffers published. */
    private void prepareTurn() {
        if (acceptPausedUntil >= 0 && acceptPausedUntil != Long.MAX_VALUE && nowMs >= acceptPausedUntil) acceptPausedUntil = -1;
        if (!acceptArmed && !acceptCancelling && acceptPausedUntil < 0) {
            long at = sqe();
            Prep.acceptMultishot(sqes, at, listenFd, ACCEPT_FLAGS, UserData.of(UringOp.ACCEPT, UserData.LOOP, 0));
            counters.countSqe(UringOp.ACCEPT);
            acceptArmed = true;
        }
        int available = buffers.count() - buffersHeld;
        if (starvedCount > 0 && available > 0) {
            // As many starved recvs as the ring has buffers, oldest first: re-arming all of them
            // after one buffer came back would have all but one end in ENOBUFS again at once. Those
            // left wait for the next turn, which comes within STARVED_WAIT_NANOS (see loop()).
            int n = Math.min(starvedCount, available);
            for (int i = 0; i < n; i++) {
                UringConnection c = starved[i];
                c.starved = false;
                if (c.live() && !c.recvArmed && !c.recvCancelling && !c.peerClosed) armRecv(c);
            }
            System.arraycopy(starved, n, starved, 0, starvedCount - n);
            Arrays.fill(starved, starvedCount - n, starvedCount, null);
            starvedCount -= n;
        }
        if (recycledCount > 0) {
            buffers.publish();
            recycledCount = 0;
        }
    }

    /** Reaps every completion, then drives each connection they touched, once. */
    private void reap() {
        // A few rounds at most: with SQPOLL the kernel posts CQEs while we reap, and the turn must end
        // (timers, the SQ tail published by the next enter) even under a steady stream of them.
        for (int round = 0; round < 4 && ring.cqReady() > 0; round++) {
            ring.forEachCompletion(this);
            for (int i = 0; i < dirtyCount; i++) {
                UringConnection c = dirty[i];
                dirty[i] = null;
                c.dirty = false;
                drive(c);
            }
            dirtyCount = 0;
        }
    }

    /** Reads the clock once per wake-up; refreshes the protocol's Date once a second. */
    private void tick() {
        nowMs = System.nanoTime() / 1_000_000;
        long s = System.currentTimeMillis() / 1000;
        if (s != second) {
            second = s;
            protocol.tick(s);
        }
    }

    // ---- completions ----

    @Override
    public void onCompletion(long userData, int res, int flags) {
        UringOp op = UserData.op(userData);
        counters.countCqe(op, res);
        int slot = UserData.slot(userData);
        if (slot == UserData.LOOP) {
            switch (op) {
                case ACCEPT -> onAccept(res, flags);
                case POLL -> onWake();
                case CANCEL -> { }
                default -> { }
            }
            return;
        }
        UringConnection c = slot < slotCount ? slots[slot] : null;
        if (c == null || c.state == UringConnection.FREE || c.generation != UserData.generation(userData)) {
            int bid = Cqe.bufferId(flags);
            if (bid >= 0) {
                buffersHeld++;
                recycle(bid);
            }
            counters.countStaleEvent();
            return;
        }
        if (text != null && text.follows(c.fd)) traceCqe(op, c, res, flags);
        switch (op) {
            case RECV -> onRecv(c, res, flags);
            case SEND -> onSend(c, res);
            case CLOSE -> {
                c.ops--;
                counters.countClosed();
                open--;
                if (text != null) text.unfollow(c.fd);
                c.fd = -1;
                maybeFree(c);
            }
            default -> {  // CANCEL, SHUTDOWN
                c.ops--;
                maybeFree(c);
            }
        }
    }

    private void onAccept(int res, int flags) {
        if (!Cqe.hasMore(flags)) {
            acceptArmed = false;
            acceptCancelling = false;
        }
        if (res >= 0) {
            if (acceptPausedUntil == Long.MAX_VALUE) {  // stopping: a connection that raced the cancel
                sys.close(res);
                return;
            }
            opened(res);
            return;
        }
        int e = -res;
        if (e == Errno.ECANCELED || e == Errno.EINTR || e == Errno.ECONNABORTED || e == Errno.EPROTO || e == Errno.EPERM) return;
        // EMFILE, ENFILE, ENOBUFS, ENOMEM or anything unexpected: pause, never spin.
        if (acceptPausedUntil < 0) acceptPausedUntil = nowMs + ACCEPT_PAUSE_MS;
        if (acceptArmed) cancelAccept();
    }

    private void cancelAccept() {
        if (!acceptArmed || acceptCancelling) return;
        long at = sqe();
        Prep.cancel(sqes, at, UserData.of(UringOp.ACCEPT, UserData.LOOP, 0), UserData.of(UringOp.CANCEL, UserData.LOOP, 0));
        counters.countSqe(UringOp.CANCEL);
        acceptCancelling = true;
    }

    private void opened(int fd) {
        if (options.maxConnections() > 0 && open >= options.maxConnections()) {
            sys.close(fd);
            counters.countRejected();
            return;
        }
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (slotCount == slots.length) slots = Arrays.copyOf(slots, slotCount * 2);
            slot = slotCount++;
            slots[slot] = new UringConnection(slot);
        }
        UringConnection c = slots[slot];
        c.open(fd);
        counters.countAccepted();
        open++;
        if (text != null && text.accepting()) {
            text.maybeFollow(fd);
            StringBuilder sb = text.begin();
            if (sb != null) {
                sb.append("cqe accept(").append(listenFd).append(") slot=").append(slot).append(" gen=").append(c.generation);
                text.end(sb, fd);
            }
        }
        armRecv(c);
        rearm(c);
    }

    private void onWake() {
        wakeArmed = false;
        sys.readCounter(wakeFd, wakeCounter);
        if (!stopRequested) armWake();
    }

    private void armWake() {
        long at = sqe();
        Prep.pollAdd(sqes, at, wakeFd, Net.POLLIN, false, UserData.of(UringOp.POLL, UserData.LOOP, 0));
        counters.countSqe(UringOp.POLL);
        wakeArmed = true;
    }

    private void onRecv(UringConnection c, int res, int flags) {
        int bid = Cqe.bufferId(flags);
        if (bid >= 0) buffersHeld++;
        if (!Cqe.hasMore(flags)) {
            c.recvArmed = false;
            c.recvCancelling = false;
            c.ops--;
        }
        if (c.state == UringConnection.CLOSING) {
            if (bid >= 0) recycle(bid);
            maybeFree(c);
            return;
        }
        if (res > 0) {
            if (c.state == UringConnection.LINGERING) {
                recycle(bid);  // read and discarded until the peer's FIN
            } else {
                c.pushPending(bid, res);
                counters.addBytesIn(res);
                if (c.pendCount >= HOLD_LIMIT && c.recvArmed && !c.recvCancelling) cancelRecv(c);
            }
        } else {
            if (bid >= 0) recycle(bid);
            if (res == 0) {
                if (c.state == UringConnection.LINGERING) {
                    closeLater(c);
                    return;
                }
                c.peerClosed = true;
            } else if (res == -Errno.ENOBUFS) {
                if (!c.starved) {
                    c.starved = true;
                    if (starvedCount == starved.length) starved = Arrays.copyOf(starved, starvedCount * 2);
                    starved[starvedCount++] = c;
                }
            } else if (res != -Errno.ECANCELED) {
                closeLater(c);  // ECONNRESET and the like, counted by errno
                return;
            }
        }
        markDirty(c);
    }

    private void onSend(UringConnection c, int res) {
        c.ops--;
        c.sendInFlight = false;
        c.sending = null;
        if (c.state == UringConnection.CLOSING) {
            maybeFree(c);
            return;
        }
        if (res < 0) {
            closeLater(c);  // EPIPE, ECONNRESET: counted by errno
            return;
        }
        counters.addBytesOut(res);
        if (c.sendingBody) {
            c.bodySent += res;
            if (c.bodySent >= c.bodyLength) {
                c.bodySent = c.bodyLength = 0;
                c.body = null;
            }
        } else {
            c.outPos += res;
            if (c.outPos >= c.outLen) c.outPos = c.outLen = 0;
        }
        markDirty(c);
    }

    private void markDirty(UringConnection c) {
        if (c.dirty) return;
        c.dirty = true;
        if (dirtyCount == dirty.length) dirty = Arrays.copyOf(dirty, dirtyCount * 2);
        dirty[dirtyCount++] = c;
    }

    // ---- driving a connection ----

    /** After its completions: turn held input into replies, send them, keep the recv armed as wanted, timers. */
    private void drive(UringConnection c) {
        if (c.state == UringConnection.OPEN) pump(c);
        if (c.live() && !c.recvArmed && !c.recvCancelling && !c.starved && !c.peerClosed && c.pendCount == 0) armRecv(c);
        if (c.live()) {
            releaseIdleBuffers(c);
            rearm(c);
        }
    }

    /**
     * The Transfer.pump of the epoll loops, with a send in the ring instead of send(2): while no send
     * is in flight, copy held input into the connection buffer, let the protocol answer, and submit
     * what it queued. A send's completion drives the connection again.
     */
    private void pump(UringConnection c) {
        while (c.state == UringConnection.OPEN && !c.sendInFlight) {
            boolean fed = feed(c);
            if (c.outputPending()) {
                if (options.cork() && !c.corked && (c.buffered() > 0 || c.pendCount > 0)) {
                    sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 1);  // more replies will follow this send
                    c.corked = true;
                }
                submitSend(c);
                return;
            }
            if (c.closeAfterFlush) {
                finish(c);
                return;
            }
            if (c.buffered() == 0) {
                if (fed || c.pendCount > 0) continue;
                break;
            }
            if (c.out == null) c.out = pool.acquire();
            int before = c.inPos;
            counters.addRequests(protocol.process(c));
            if (!c.outputPending() && c.inPos == before && !fed) break;  // an incomplete request: wait for more input
        }
        if (c.corked && c.state == UringConnection.OPEN && !c.sendInFlight) {
            sys.setIntOption(c.fd, Net.IPPROTO_TCP, Net.TCP_CORK, 0);  // the batch is sent: let the last bytes go
            c.corked = false;
        }
        if (c.state == UringConnection.OPEN && c.peerClosed && c.pendCount == 0 && !c.sendInFlight) {
            c.inPos = c.inLen = 0;  // an incomplete request can never complete
            if (c.outputPending()) {
                c.closeAfterFlush = true;
                submitSend(c);
            } else if (c.closeAfterFlush) {
                finish(c);
            } else {
                closeLater(c);
            }
        }
    }

    /** Copies held provided buffers into the connection's input buffer as far as it has room; recycles the used ones. */
    private boolean feed(UringConnection c) {
        if (c.pendCount == 0) return false;
        if (c.in == null) {
            c.in = pool.acquire();
        } else if (c.inPos > 0) {
            int left = c.inLen - c.inPos;
            if (left > 0) MemorySegment.copy(c.in, c.inPos, c.in, 0, left);
            c.inPos = 0;
            c.inLen = left;
        }
        int cap = (int) c.in.byteSize();
        boolean moved = false;
        while (c.pendCount > 0 && c.inLen < cap) {
            int i = c.headIndex();
            int bid = c.pendBid[i], off = c.pendOff[i], len = c.pendLen[i];
            int n = Math.min(len - off, cap - c.inLen);
            MemorySegment.copy(provided, buffers.offset(bid) + off, c.in, c.inLen, n);
            c.inLen += n;
            moved = true;
            if (off + n == len) {
                recycle(bid);
                c.popPending();
            } else {
                c.pendOff[i] = off + n;
            }
        }
        return moved;
    }

    private void submitSend(UringConnection c) {
        long at = sqe();
        long ud = UserData.of(UringOp.SEND, c.slot, c.generation);
        if (c.outPos < c.outLen) {
            Prep.send(sqes, at, c.fd, c.out, c.outPos, c.outLen - c.outPos, SEND_FLAGS, ud);
            c.sending = c.out;
            c.sendingBody = false;
        } else {
            int n = (int) Math.min(c.bodyLength - c.bodySent, 1 << 30);
            Prep.send(sqes, at, c.fd, c.body, c.bodySent, n, SEND_FLAGS, ud);
            c.sending = c.body;
            c.sendingBody = true;
        }
        counters.countSqe(UringOp.SEND);
        if (c.pendCount == 0 && c.buffered() == 0 && !c.closeAfterFlush && !c.peerClosed
                && (c.sendingBody ? c.bodyLength - c.bodySent == n(c) : c.bodyLength == c.bodySent)) {
            quietSends++;
        }
        c.sendInFlight = true;
        c.ops++;
    }

    /** The bytes the body send just prepared covers. */
    private static long n(UringConnection c) {
        return Math.min(c.bodyLength - c.bodySent, 1 << 30);
    }

    private void armRecv(UringConnection c) {
        long at = sqe();
        Prep.recvMultishot(sqes, at, c.fd, BUFFER_GROUP, UserData.of(UringOp.RECV, c.slot, c.generation));
        counters.countSqe(UringOp.RECV);
        c.recvArmed = true;
        c.ops++;
    }

    private void cancelRecv(UringConnection c) {
        long at = sqe();
        Prep.cancel(sqes, at, UserData.of(UringOp.RECV, c.slot, c.generation), UserData.of(UringOp.CANCEL, c.slot, c.generation));
        counters.countSqe(UringOp.CANCEL);
        c.recvCancelling = true;
        c.ops++;
    }

    /** Everything queued is sent and the connection must end: half-close and linger (HTTP), or close. */
    private void finish(UringConnection c) {
        if (c.peerClosed || !protocol.isHttp()) {
            closeLater(c);
            return;
        }
        // shutdown(SHUT_WR) sends our FIN after the reply; reading on until the client's FIN keeps
        // unread client bytes from turning the close into an RST that could destroy the reply.
        long at = sqe();
        Prep.shutdown(sqes, at, c.fd, Net.SHUT_WR, UserData.of(UringOp.SHUTDOWN, c.slot, c.generation));
        counters.countSqe(UringOp.SHUTDOWN);
        c.ops++;
        c.state = UringConnection.LINGERING;
        c.inPos = c.inLen = 0;
        dropPending(c);
        linger.arm(c, nowMs);
    }

    /** Marks {@code c} closing: cancels what it has in the ring and closes its fd, both in the next submission. */
    private void closeLater(UringConnection c) {
        if (!c.live()) return;
        c.state = UringConnection.CLOSING;
        if (c.timerList != null) c.timerList.remove(c);
        dropPending(c);
        c.resetBytes();  // c.sending keeps a send's bytes reachable until its CQE
        if (c.recvArmed || c.sendInFlight) {
            long at = sqe();
            Prep.cancelFd(sqes, at, c.fd, UserData.of(UringOp.CANCEL, c.slot, c.generation));
            counters.countSqe(UringOp.CANCEL);
            c.ops++;
        }
        long at = sqe();
        Prep.close(sqes, at, c.fd, UserData.of(UringOp.CLOSE, c.slot, c.generation));
        counters.countSqe(UringOp.CLOSE);
        c.ops++;
    }

    /** A closing connection whose last request completed: buffers back to the pool, slot free. */
    private void maybeFree(UringConnection c) {
        if (c.state != UringConnection.CLOSING || c.ops > 0) return;
        if (c.in != null) pool.release(c.in);
        if (c.out != null) pool.release(c.out);
        c.in = c.out = null;
        c.state = UringConnection.FREE;
        if (freeCount == freeSlots.length) freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        freeSlots[freeCount++] = c.slot;
    }

    private void dropPending(UringConnection c) {
        while (c.pendCount > 0) {
            recycle(c.pendBid[c.headIndex()]);
            c.popPending();
        }
    }

    private void recycle(int bid) {
        buffers.add(bid);
        recycledCount++;
        buffersHeld--;
    }

    private void releaseIdleBuffers(UringConnection c) {
        if (c.in != null && c.inPos == c.inLen) {
            pool.release(c.in);
            c.in = null;
            c.inPos = c.inLen = 0;
        }
        if (c.out != null && !c.outputPending() && !c.sendInFlight) {
            pool.release(c.out);
            c.out = null;
            c.outPos = c.outLen = 0;
        }
    }

    /** A free SQE's offset; submits what is queued first when the SQ is full. */
    private long sqe() {
        long at = ring.nextSqe();
        for (int tries = 0; at < 0 && tries < 100_000; tries++) {
            sys.uringEnter(ring, 0, -1);  // SQPOLL: wakes the kernel thread if it sleeps
            at = ring.nextSqe();
            if (at < 0) Thread.yield();
        }
        if (at < 0) throw new IllegalStateException("io_uring submission queue stays full");
        return at;
    }

    // ---- timers ----

    /** As the epoll loops' ConnectionTable.rearm: the header list while a request head is incomplete, else idle. */
    private void rearm(UringConnection c) {
        if (c.state != UringConnection.OPEN) return;
        boolean quiet = !c.outputPending() && !c.sendInFlight;
        if (header != null && quiet && (c.buffered() > 0 || c.pendCount > 0)) {
            if (c.timerList != header) header.arm(c, nowMs);
        } else if (idle != null) {
            idle.arm(c, nowMs);
        } else if (header != null && quiet && c.exchanges == 0) {
            if (c.timerList != header) header.arm(c, nowMs);
        } else if (c.timerList != null) {
            c.timerList.remove(c);
        }
    }

    private void expire() {
        for (UringConnection c; (c = linger.expired(nowMs)) != null; ) closeLater(c);
        if (idle != null) for (UringConnection c; (c = idle.expired(nowMs)) != null; ) closeLater(c);
        if (header != null) for (UringConnection c; (c = header.expired(nowMs)) != null; ) closeLater(c);
    }

    private long untilNextDeadlineNanos() {
        long t = linger.untilNext(nowMs);
        if (idle != null) t = earlier(t, idle.untilNext(nowMs));
        if (header != null) t = earlier(t, header.untilNext(nowMs));
        if (acceptPausedUntil >= 0 && acceptPausedUntil != Long.MAX_VALUE) t = earlier(t, Math.max(0, acceptPausedUntil - nowMs));
        if (t < 0) return -1;
        return Math.max(1, t) * 1_000_000L;
    }

    private static long earlier(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    // ---- stop ----

    /** Graceful stop: no more accepting; every connection with nothing in flight is closed; the rest drain. */
    private void beginDrain() {
        drainDeadline = nowMs + DRAIN_MS;
        acceptPausedUntil = Long.MAX_VALUE;
        cancelAccept();
        for (int i = 0; i < slotCount; i++) {
            UringConnection c = slots[i];
            if (c.live() && !c.outputPending() && !c.sendInFlight) closeLater(c);
        }
    }

    /** Closes every connection through the ring and waits (bounded) for their last completions, then tears down. */
    private void shutdownAll() {
        try {
            if (ring != null && ring.isOpen()) {
                acceptPausedUntil = Long.MAX_VALUE;
                for (int i = 0; i < slotCount; i++) {
                    if (slots[i].live()) closeLater(slots[i]);
                }
                cancelAccept();
                long deadline = System.nanoTime() + 1_000_000_000L;
                while ((busySlots() > 0 || acceptArmed) && System.nanoTime() < deadline) {
                    sys.uringEnter(ring, ring.cqReady() > 0 ? 0 : 1, 10_000_000L);
                    reap();
                }
                for (int i = 0; i < slotCount; i++) {  // a close that did not complete in time: close(2) it
                    UringConnection c = slots[i];
                    if (c.state != UringConnection.FREE && c.fd >= 0) {
                        sys.close(c.fd);
                        counters.countClosed();
                        c.fd = -1;
                    }
                }
            }
        } finally {
            if (buffers != null) sys.uringUnregisterBuffers(ring, buffers);
            if (ring != null) sys.uringClose(ring);
            sys.close(listenFd);
            result = counters.snapshot();
        }
    }

    private int busySlots() {
        int n = 0;
        for (int i = 0; i < slotCount; i++) if (slots[i].state != UringConnection.FREE) n++;
        return n;
    }

    private void traceCqe(UringOp op, UringConnection c, int res, int flags) {
        StringBuilder sb = text.begin();
        if (sb == null) return;
        sb.append("cqe ").append(op.opName).append('(').append(c.fd).append(") slot=").append(c.slot).append(" gen=").append(c.generation);
        if (Cqe.hasMore(flags)) sb.append(" F_MORE");
        if (Cqe.hasBuffer(flags)) sb.append(" F_BUFFER bid=").append(Cqe.bufferId(flags));
        text.end(sb, res);
    }

    // ---- other threads ----

    @Override
    protected SyscallCounters ownCounters() {
        return sys == null ? null : counters;
    }
}
