package edgepoll.loop;

import edgepoll.worker.BufferPool;
import edgepoll.config.ListenerMode;
import edgepoll.config.Options;
import edgepoll.proto.Protocol;
import edgepoll.stats.JfrEvents;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.SyscallCounters;
import edgepoll.kernel.SyscallRecorder;
import edgepoll.sys.Errno;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.transport.Deadlines;
import edgepoll.transport.GracefulStop;
import edgepoll.transport.LoopClock;
import edgepoll.worker.PublishingWorker;
import edgepoll.worker.Worker;
import java.lang.foreign.Arena;

/**
 * An event loop: a {@link Readiness} backend composed with a {@link DrainPolicy} over a
 * {@link ConnectionTable}, and this class is only the batch skeleton: wait, dispatch each fired
 * event, run owed work, expire timers, close what the batch marked, publish counters if asked.
 * {@link Loops} says which backend and policy each {@code --mode} combines.
 *
 * <p>Ownership: one thread. Its confined {@link Arena}, opened and closed around {@link #serve} (PublishingWorker.run), owns
 * the backend's arrays, the capture segment, the response templates and every connection buffer;
 * the loop owns its listener fd, its backend's fd and every connection fd, and closes them when it
 * stops. The wake eventfd belongs to the Server, which closes it after the loop thread ended;
 * {@link #wake()} writes it under this object's lock so no write can reach a closed fd.
 */
public final class EventLoop extends PublishingWorker {

    private final Loops.Kind kind;
    private final LoopClock clock = new LoopClock();
    /** Reused for every batch; written only while a JFR recording asks for it (JfrEvents). */
    private final JfrEvents.LoopWakeup wakeEvent = new JfrEvents.LoopWakeup();

    private LoopSyscalls sys;
    private Readiness readiness;
    private ConnectionTable table;
    private Acceptor acceptor;
    private DrainPolicy policy;
    private Protocol protocol;
    /** Stop requested: no more accepting; connections end once their replies are sent, or at the deadline. */
    private final GracefulStop stop = new GracefulStop();

    EventLoop(int index, Options options, int listenFd, int wakeFd, Loops.Kind kind) {
        super(index, options, listenFd, wakeFd);
        this.kind = kind;
    }

    @Override
    protected void serve(Arena arena) throws Exception {
        tid = Syscalls.gettid();  // not counted: see LoopSyscalls
        tracer = options.trace() != null ? SyscallRecorder.create(options.traceFormat(), index, tid, options.traceConnections()) : null;
        sys = new LoopSyscalls(arena, tracer, options.syscallLatency());
        clock.tick();
        readiness = Loops.readiness(kind, arena, sys, options, wakeFd);
        table = new ConnectionTable(sys, readiness, new BufferPool(arena, options.sliceSize()), options);
        table.loopIndex = index;
        acceptor = new Acceptor(sys, readiness, clock, listenFd, !Loops.edgeTriggered(kind),
                options.listener() == ListenerMode.EXCLUSIVE, !options.sharedListener());
        SyscallException.check("register the listener", acceptor.start(options.acceptPauseMs()));
        protocol = Protocol.create(arena, options, statsSource, false);
        policy = Loops.policy(kind, new DrainPolicy.Parts(sys, clock, readiness, table, acceptor, protocol, options.cork()));
        started.countDown();
        loop();
    }

    private void loop() throws SyscallException {
        boolean owed = false;
        clock.tick(protocol);
        while (!stopRequested || draining()) {
            int timeout = stop.begun() ? (stop.quietClosePending() ? 0 : 10) : timeoutMs(owed);
            int n = awaitAndDispatch(timeout);
            if (acceptor.pauseOver()) policy.onAcceptable();
            owed = policy.runOwed();
            policy.io.expire();
            int closed = table.closeDeferred();
            if (closed > 0 && acceptor.fdsFreed()) {  // fds came free: accept again now, not after the pause
                policy.onAcceptable();
                table.closeDeferred();
            }
            sys.counters.setBufferPool(table.pool.allocatedBytes(), table.buffersHeld());
            if (published.wanted()) {
                sys.counters.setCpuNanos(Worker.currentThreadCpuNanos());
                published.publish(sys.counters);
            }
            if (batchRecorded) {
                wakeEvent.loop = index;
                wakeEvent.events = n;
                wakeEvent.timeoutMs = timeout;
                wakeEvent.end();
                wakeEvent.commit();
            }
        }
        shutdownAll();
    }

    /** JFR: whether this batch's wake-up event was begun (a recording asked for it when the wait returned). */
    private boolean batchRecorded;

    /** Waits and hands each fired event to the policy; returns the wait's result. */
    private int awaitAndDispatch(int timeoutMs) throws SyscallException {
        int n = readiness.await(timeoutMs);
        batchRecorded = wakeEvent.isEnabled();
        if (batchRecorded) wakeEvent.begin();
        if (n < 0 && n != -Errno.EINTR) throw new SyscallException("wait for readiness", -n);
        clock.tick(protocol);  // once per wake-up, not per request
        for (int i = 0; i < n; i++) {
            long token = readiness.token(i);
            if (token == Readiness.LISTENER) {
                acceptor.onListenerEvent();
                policy.onAcceptable();
                acceptor.listenerEventHandled();
            } else if (token != Readiness.WAKE) {
                Connection c = table.lookup(token);
                if (c != null) policy.onEvent(c, readiness.events(i));
            }
        }
        return n;
    }

    /** The wait's timeout: 0 while work is owed, else until the next timer or the end of an accept pause, else -1. */
    private int timeoutMs(boolean owed) {
        if (owed) return 0;
        long t = Deadlines.earlier(policy.io.untilNextDeadline(), acceptor.pauseRemaining());
        return (int) Math.min(t, Integer.MAX_VALUE);
    }

    /**
     * Graceful stop ({@link GracefulStop}): on the first call the listener stops being served and
     * one more batch runs without waiting; on the second every connection with nothing in flight is
     * closed; the loop then keeps running (10 ms waits) while replies drain, at most
     * {@link GracefulStop#DRAIN_MS}. Returns true while it should keep running.
     */
    private boolean draining() {
        if (!stop.begun()) {
            stop.begin(clock.nowMs);
            acceptor.stopAccepting();
            return true;
        }
        if (stop.quietCloseDue()) {
            table.closeQuiet(false);
            table.closeDeferred();
        }
        return !stop.over(clock.nowMs, table.open);
    }

    /** Stop: close every connection, the listener and the backend. */
    @Override
    protected void shutdownAll() {
        if (table != null) {
            table.closeQuiet(true);
            table.closeDeferred();
        }
        if (acceptor != null) acceptor.close();
        else if (!options.sharedListener()) sys.close(listenFd);
        if (readiness != null) readiness.close();
        sys.counters.setCpuNanos(Worker.currentThreadCpuNanos());
        result = sys.counters.snapshot();
    }

    @Override
    protected SyscallCounters ownCounters() {
        LoopSyscalls s = sys;
        return s == null ? null : s.counters;
    }
}
