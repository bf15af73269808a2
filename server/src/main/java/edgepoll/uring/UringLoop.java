package edgepoll.uring;

import edgepoll.config.Options;
import edgepoll.proto.Protocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.kernel.PerfettoRecorder;
import edgepoll.kernel.SyscallRecorder;
import edgepoll.kernel.Tracer;
import edgepoll.sys.Errno;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.sys.uring.Ring;
import edgepoll.transport.Conn;
import edgepoll.transport.Deadlines;
import edgepoll.transport.GracefulStop;
import edgepoll.transport.LoopClock;
import edgepoll.worker.BufferPool;
import edgepoll.worker.PublishingWorker;
import edgepoll.worker.Worker;
import java.lang.foreign.Arena;

/**
 * {@code --mode uring}: one thread drives one io_uring. It is a {@link Worker} like the epoll
 * EventLoop but not built on {@code edgepoll.loop.Readiness}: io_uring is completion-based. The
 * loop does not ask which fds are ready and then call read/send; it keeps requests in the ring
 * (one multishot accept on the listener, one multishot recv per connection into a provided-buffer
 * ring, a send while replies are queued) and is told when each one has done its work.
 *
 * <p>This class is only the turn skeleton: prepare (accept and starved recvs re-armed, recycled
 * buffers published), one io_uring_enter that submits everything prepared and waits for at least
 * one completion, reap ({@link Completions}) and drive each connection touched once
 * ({@link UringTransfer}: the transport every loop shares, over the ring), expire timers, publish counters if asked; and
 * the stop. The parts: {@link Submissions} (every SQE), {@link ProvidedBuffers},
 * {@link UringSlots} (connections by slot), {@link UringAcceptor}, {@link WakePoll},
 * {@link CqeTrace} (--trace); {@link UringProbe} checks the kernel before any loop starts.
 *
 * <p>No other syscall is made while connections only exchange requests and replies; shutdown and
 * close go through the ring as well. Syscalls outside the ring: close(2) of a connection refused
 * at --max-connections, close/accept4/eventfd when shedding at the fd limit ({@link UringAcceptor}),
 * and the set-up and tear-down (the wake eventfd is never read: {@link WakePoll}).
 *
 * <p>Ownership: the loop thread owns its confined arena (connection buffers, response templates),
 * the ring and the buffer ring (opened and closed on it: {@code SINGLE_ISSUER}), the listener fd and
 * every connection fd. The wake eventfd belongs to the Server, as for the epoll loops.
 */
public final class UringLoop extends PublishingWorker {
    /** Provided buffers a connection may hold unconsumed before its recv is cancelled. */
    static final int HOLD_LIMIT = 4;
    /** The longest wait for one more completion after quiet sends, or while recvs are starved (see loop()). */
    static final long QUIET_WAIT_NANOS = 1_000_000L;
    /** The wait while draining at stop. */
    private static final long DRAIN_WAIT_NANOS = 10_000_000L;

    private LoopSyscalls sys;
    private Ring ring;
    private ProvidedBuffers buffers;
    private Protocol protocol;
    private final LoopClock clock = new LoopClock();
    private UringSlots slots;
    private UringTransfer transfer;
    private UringAcceptor acceptor;
    private Completions completions;
    private final GracefulStop stop = new GracefulStop();

    public UringLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd, wakeFd);
    }

    /**
     * Throws, with a one-line message, when this kernel or its seccomp policy refuses io_uring, or
     * lacks an opcode or feature the mode uses ({@link UringProbe}). Made once by the Server before
     * it starts uring loops, on its own thread.
     */
    public static void checkAvailable() throws SyscallException {
        UringProbe.check();
    }

    @Override
    protected void serve(Arena arena) throws Exception {
        tid = Syscalls.gettid();
        tracer = options.trace() != null ? SyscallRecorder.create(options.traceFormat(), index, tid, options.traceConnections()) : null;
        sys = new LoopSyscalls(arena, tracer, options.syscallLatency());
        clock.tick();
        int flags = options.sqpoll() ? Ring.SETUP_SQPOLL | Ring.SETUP_SINGLE_ISSUER | Ring.SETUP_SUBMIT_ALL
                : Ring.SETUP_SINGLE_ISSUER | Ring.SETUP_DEFER_TASKRUN | Ring.SETUP_SUBMIT_ALL;
        ring = sys.uringSetup(options.uringEntries(), flags, 1000);
        buffers = new ProvidedBuffers(sys.uringRegisterBuffers(ring, Submissions.BUFFER_GROUP,
                Math.max(256, Integer.highestOneBit(options.uringEntries()) * 2), options.bufferSize()));
        protocol = Protocol.create(arena, options, statsSource, false);
        CqeTrace trace = tracer instanceof Tracer text ? new CqeText(text)
                : tracer instanceof PerfettoRecorder timeline ? new CqeTimeline(timeline) : null;
        Submissions sq = new Submissions(sys, ring, trace);
        slots = new UringSlots(new BufferPool(arena, options.sliceSize()));
        transfer = new UringTransfer(sys, sq, buffers, slots, new Deadlines(options), clock, protocol, options.cork());
        acceptor = new UringAcceptor(sys, sq, slots, transfer, clock, trace, listenFd, options.maxConnections());
        WakePoll wake = new WakePoll(sq, wakeFd, () -> stopRequested);
        completions = new Completions(sys.counters, slots, buffers, transfer, acceptor, wake, trace);
        clock.tick(protocol);
        acceptor.start();
        if (options.acceptPauseMs() > 0) acceptor.pauseFor(options.acceptPauseMs());
        wake.arm();
        started.countDown();
        loop();
    }

    private void loop() throws SyscallException {
        while (true) {
            if (stopRequested && !stop.begun()) beginDrain();
            else if (stop.quietCloseDue()) closeQuiet();
            if (stop.begun() && stop.over(clock.nowMs, slots.open())) break;
            acceptor.prepare();
            slots.rearmStarved(buffers.available(), transfer);
            buffers.publish();
            long timeout = stop.begun() ? (stop.quietClosePending() ? 0 : DRAIN_WAIT_NANOS) : untilNextDeadlineNanos();
            // A quiet send (a reply after which its connection has nothing left to do) completes inside
            // this enter, as a rule, and its CQE only frees a buffer: it need not end the wait. But a
            // send that meets a full socket does not complete, and the CQE that then ends the wait may
            // call for new SQEs (an accept's recv): so such a wait lasts at most QUIET_WAIT_NANOS, as
            // does a wait while starved recvs are left to re-arm.
            int quietSends = transfer.takeQuietSends();
            int min = ring.cqReady() > 0 ? 0 : 1 + quietSends;
            if (quietSends > 0 || slots.starvedCount() > 0) timeout = timeout < 0 ? QUIET_WAIT_NANOS : Math.min(timeout, QUIET_WAIT_NANOS);
            int rc = sys.uringEnter(ring, min, timeout);
            if (rc < 0 && rc != -Errno.EINTR && rc != -Errno.ETIME && rc != -Errno.EAGAIN && rc != -Errno.EBUSY) {
                throw new SyscallException("io_uring_enter", -rc);
            }
            clock.tick(protocol);
            reap();
            transfer.expire();
            sys.counters.setBufferPool(slots.pool.allocatedBytes(), slots.pool.inUse());
            if (published.wanted()) {
                sys.counters.setCpuNanos(Worker.currentThreadCpuNanos());  // as the epoll loops: cpu_ms in the live stats
                published.publish(sys.counters);
            }
        }
        shutdownAll();
    }

    /** Reaps every completion, then drives each connection they touched, once. */
    private void reap() {
        // A few rounds at most: with SQPOLL the kernel posts CQEs while we reap, and the turn must end
        // (timers, the SQ tail published by the next enter) even under a steady stream of them.
        for (int round = 0; round < 4 && ring.cqReady() > 0; round++) {
            ring.forEachCompletion(completions);
            slots.driveDirty(transfer);
        }
    }

    private long untilNextDeadlineNanos() {
        long t = Deadlines.earlier(transfer.untilNextDeadline(), acceptor.untilPauseEndsMs());
        return t < 0 ? -1 : Math.max(1, t) * 1_000_000L;
    }

    // ---- stop ----

    /**
     * Graceful stop ({@link GracefulStop}, as the epoll loops): no more accepting, then one more turn
     * without waiting before the quiet connections are closed, so that a request whose completion is
     * already in the CQ (or arrives meanwhile) is served rather than dropped.
     */
    private void beginDrain() {
        stop.begin(clock.nowMs);
        acceptor.stop();
    }

    /** The drain's second turn: every connection with nothing in flight is closed; the rest drain. */
    private void closeQuiet() {
        for (int i = 0; i < slots.count(); i++) {
            UringConnection c = slots.at(i);
            if (c.live() && !c.outputPending() && !c.sendInFlight) transfer.closeLater(c, "server-stop");
        }
    }

    /** Closes every connection through the ring and waits (bounded) for their last completions, then tears down. */
    @Override
    protected void shutdownAll() {
        try {
            if (ring != null && ring.isOpen() && completions != null) {
                for (int i = 0; i < slots.count(); i++) {
                    if (slots.at(i).live()) transfer.closeLater(slots.at(i), "server-stop");
                }
                acceptor.stop();
                long deadline = System.nanoTime() + 1_000_000_000L;
                while ((slots.busy() > 0 || acceptor.armed()) && System.nanoTime() < deadline) {
                    sys.uringEnter(ring, ring.cqReady() > 0 ? 0 : 1, DRAIN_WAIT_NANOS);
                    reap();
                }
                for (int i = 0; i < slots.count(); i++) {  // a close that did not complete in time: close(2) it
                    UringConnection c = slots.at(i);
                    if (c.state != Conn.FREE && c.fd >= 0) {
                        sys.close(c.fd);
                        sys.counters.countClosed();
                        c.fd = -1;
                    }
                }
            }
        } finally {
            if (acceptor != null) acceptor.close();
            if (buffers != null) sys.uringUnregisterBuffers(ring, buffers.ring());
            if (ring != null) sys.uringClose(ring);
            sys.close(listenFd);
            sys.counters.setCpuNanos(Worker.currentThreadCpuNanos());  // the exit table's and JSON's cpu_ms
            result = sys.counters.snapshot();
        }
    }

    @Override
    protected SyscallCounters ownCounters() {
        return sys == null ? null : sys.counters;
    }
}
