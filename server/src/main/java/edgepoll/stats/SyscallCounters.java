package edgepoll.stats;

import edgepoll.sys.Errno;

/**
 * Per-loop syscall counters: calls, EAGAIN, EINTR, other errors by errno, and bytes, for every
 * {@link Sys}; events per epoll_wait as a histogram; and the loop's connection and request counts.
 *
 * <p>Written only by the loop thread, as plain longs in flat arrays indexed by {@code Sys.ordinal()}:
 * no allocation, no lock, no atomic on the hot path. Readers on other threads see them after the
 * loop thread ends (Thread.join) or through the copy the loop publishes at the end of a batch
 * ({@link PublishedCounters}); nothing else reads them while the loop runs.
 */
public final class SyscallCounters {
    /**
     * {@code -Dedgepoll.counters=off} turns counting off (a static final the JIT folds away), only to
     * measure what counting costs; everything that reads the counters then sees zeros.
     */
    static final boolean ENABLED = !"off".equals(System.getProperty("edgepoll.counters"));
    static final int KINDS = Sys.ALL.length;
    /** epoll_wait histogram buckets: 0, 1, 2-3, 4-7, ... , 2^(B-2) and more. */
    static final int BUCKETS = 12;

    /** --syscall-latency: each call's duration by kind and outcome; null when off. */
    SyscallLatency latency;

    public SyscallCounters() {
        this(false);
    }

    public SyscallCounters(boolean syscallLatency) {
        this.latency = syscallLatency ? new SyscallLatency() : null;
    }

    final long[] calls = new long[KINDS];
    final long[] eagain = new long[KINDS];
    final long[] eintr = new long[KINDS];
    final long[] errors = new long[KINDS];
    final long[] bytes = new long[KINDS];
    /** read and send calls that moved more than 0 but fewer bytes than asked: short reads, partial sends. */
    final long[] shortCalls = new long[KINDS];
    /** errors by errno: [kind * Errno.MAX + errno]. */
    final long[] byErrno = new long[KINDS * Errno.MAX];
    final long[] eventsHistogram = new long[BUCKETS];
    long events;
    long zeroWakeups;
    /** ET: events that carried EPOLLOUT alone while nothing waited to be sent (the price of registering it once). */
    long idleWritableEvents;
    /** Events that carried EPOLLOUT while replies waited to be sent: the loop resumed a blocked send. */
    long writableEvents;
    long accepted;
    long closed;
    long requests;
    /** Connections accepted and closed at once: over --max-connections, or shed at the fd limit. */
    long rejected;
    long shed;
    /** Events dropped because their data.u64 named an earlier connection on a reused fd number. */
    long staleEvents;
    /** ET: drains stopped by a per-wake-up budget and re-queued (serviced without a new edge). */
    long owedDrains;
    /** Gauge: native bytes the loop's connection-buffer pool holds (its high-water mark). */
    long bufferPoolBytes;
    /** Gauge: buffers lent to connections right now (0 when no connection has bytes in flight). */
    long buffersInUse;
    /** Listener events epoll reported to this loop (docs/many-loops.md). */
    long listenerEvents;
    /** Listener events whose first accept4 found the queue empty: another loop took the connection (the herd). */
    long emptyAcceptWakeups;
    /** --shared-epoll: events for a connection another thread was handling at that moment (plain EPOLLET; never with EPOLLONESHOT). */
    long ownerCollisions;
    /** Gauge: CPU time of the loop's thread, set at each publication and at the end. */
    long cpuNanos;
    /** uring: SQEs prepared, by {@link UringOp}; SQEs io_uring_enter consumed; CQEs reaped, by op. */
    final long[] sqes = new long[UringOp.COUNT];
    long sqesSubmitted;
    /**
     * uring: enters after which the kernel held completions the CQ had no room for
     * ({@code IORING_SQ_CQ_OVERFLOW}), enters that answered -EBUSY (the CQ overflowed and the
     * kernel took no new SQEs until it is reaped), and (a gauge) the CQ ring's own count of
     * completions dropped for good, which FEAT_NODROP, checked at start, keeps at 0.
     */
    long cqOverflowEnters, enterBusy, cqDropped;
    /** uring: bytes received and sent by ring requests (no read or send syscall carries them). */
    long uringBytesIn, uringBytesOut;
    final long[] cqes = new long[UringOp.COUNT];
    /** uring: CQEs with a negative res, by op and errno: [op * Errno.MAX + errno]. */
    final long[] cqeErrors = new long[UringOp.COUNT * Errno.MAX];

    /** Counts one call of {@code kind} that returned {@code rc} (a byte count, 0, or -errno). */
    public void count(Sys kind, long rc) {
        if (!ENABLED) return;
        int k = kind.ordinal();
        calls[k]++;
        if (rc >= 0) {
            return;
        }
        int e = (int) -rc;
        if (e == Errno.EAGAIN) {
            eagain[k]++;
        } else if (e == Errno.EINTR) {
            eintr[k]++;
        } else {
            errors[k]++;
            if (e < Errno.MAX) byErrno[k * Errno.MAX + e]++;
        }
    }

    /** Counts one read or send of {@code asked} bytes that moved {@code rc} (or failed with -errno). */
    public void countBytes(Sys kind, long rc, long asked) {
        if (!ENABLED) return;
        count(kind, rc);
        if (rc > 0) {
            bytes[kind.ordinal()] += rc;
            if (rc < asked) shortCalls[kind.ordinal()]++;
        }
    }

    public void countWait(int rc) {
        if (!ENABLED) return;
        count(Sys.EPOLL_WAIT, rc);
        if (rc < 0) return;
        events += rc;
        if (rc == 0) zeroWakeups++;
        eventsHistogram[bucket(rc)]++;
    }

    // Connection and request counts, written by the loop (or a blocking model's threads) that owns this.
    public void addRequests(long n) { requests += n; }
    public void countAccepted() { accepted++; }
    public void countClosed() { closed++; }
    public void countRejected() { rejected++; }
    public void countShed() { shed++; }
    public void countStaleEvent() { staleEvents++; }
    public void countOwedDrain() { owedDrains++; }
    public void countIdleWritableEvent() { idleWritableEvents++; }
    public void countWritableEvent() { writableEvents++; }
    public void setBufferPool(long bytes, long inUse) { bufferPoolBytes = bytes; buffersInUse = inUse; }
    public void countListenerEvent() { listenerEvents++; }
    public void countEmptyAcceptWakeup() { emptyAcceptWakeups++; }
    public void setCpuNanos(long nanos) { cpuNanos = nanos; }
    public void countOwnerCollision() { ownerCollisions++; }

    /** uring: one SQE of {@code op} prepared. */
    public void countSqe(UringOp op) {
        if (ENABLED) sqes[op.ordinal()]++;
    }

    public void addBytesIn(long n) { uringBytesIn += n; }
    public void addBytesOut(long n) { uringBytesOut += n; }

    /** Connection bytes received: by read(2), or by ring recvs. */
    public long bytesIn() { return bytes[Sys.READ.ordinal()] + uringBytesIn; }

    /** Connection bytes sent: by send(2), or by ring sends. */
    public long bytesOut() { return bytes[Sys.SEND.ordinal()] + uringBytesOut; }

    /** uring: one io_uring_enter that returned {@code rc} (SQEs consumed, or -errno). */
    public void countEnter(int rc) {
        if (!ENABLED) return;
        count(Sys.IO_URING_ENTER, rc);
        if (rc > 0) sqesSubmitted += rc;
    }

    /** uring: after an enter, what the ring said about CQ overflow (see {@link #cqOverflowEnters}). */
    public void countCqOverflow(int enterRc, boolean overflowPending, int dropped) {
        if (!ENABLED) return;
        if (enterRc == -Errno.EBUSY) enterBusy++;
        if (overflowPending) cqOverflowEnters++;
        cqDropped = dropped;
    }

    /** uring: one CQE of {@code op} with result {@code res}. */
    public void countCqe(UringOp op, int res) {
        if (!ENABLED) return;
        int o = op.ordinal();
        cqes[o]++;
        if (res < 0 && -res < Errno.MAX) cqeErrors[o * Errno.MAX - res]++;
    }

    static int bucket(int n) {
        return n == 0 ? 0 : Math.min(BUCKETS - 1, 32 - Integer.numberOfLeadingZeros(n));
    }

    /** Lower bound of bucket {@code b}'s range, for printing. */
    static int bucketFloor(int b) {
        return b == 0 ? 0 : 1 << (b - 1);
    }

    public long calls(Sys s) { return calls[s.ordinal()]; }
    public long eagain(Sys s) { return eagain[s.ordinal()]; }
    public long eintr(Sys s) { return eintr[s.ordinal()]; }
    public long errors(Sys s) { return errors[s.ordinal()]; }
    public long bytes(Sys s) { return bytes[s.ordinal()]; }
    /** Calls of {@code s} that moved more than 0 but fewer bytes than asked (read and sendto only). */
    public long shortCalls(Sys s) { return shortCalls[s.ordinal()]; }
    public long errors(Sys s, int errno) { return byErrno[s.ordinal() * Errno.MAX + errno]; }
    public long accepted() { return accepted; }
    public long closed() { return closed; }
    public long requests() { return requests; }
    public long rejected() { return rejected; }
    public long shed() { return shed; }
    public long staleEvents() { return staleEvents; }
    public long owedDrains() { return owedDrains; }
    public long bufferPoolBytes() { return bufferPoolBytes; }
    public long buffersInUse() { return buffersInUse; }
    public long events() { return events; }
    public long zeroWakeups() { return zeroWakeups; }
    public long idleWritableEvents() { return idleWritableEvents; }
    public long writableEvents() { return writableEvents; }
    public long listenerEvents() { return listenerEvents; }
    public long emptyAcceptWakeups() { return emptyAcceptWakeups; }
    public long cpuNanos() { return cpuNanos; }
    public long ownerCollisions() { return ownerCollisions; }

    /** --syscall-latency's histograms, or null when they were not recorded. */
    public SyscallLatency latency() { return latency; }
    public long sqes(UringOp op) { return sqes[op.ordinal()]; }
    public long cqes(UringOp op) { return cqes[op.ordinal()]; }
    public long cqeErrors(UringOp op, int errno) { return cqeErrors[op.ordinal() * Errno.MAX + errno]; }
    public long sqesSubmitted() { return sqesSubmitted; }
    public long cqOverflowEnters() { return cqOverflowEnters; }
    public long enterBusy() { return enterBusy; }
    public long cqDropped() { return cqDropped; }

    public long totalCqes() {
        long t = 0;
        for (long c : cqes) t += c;
        return t;
    }

    public long totalSqes() {
        long t = 0;
        for (long c : sqes) t += c;
        return t;
    }

    public long totalCalls() {
        long t = 0;
        for (long c : calls) t += c;
        return t;
    }

    /** Adds {@code o} into this (for the all-loops sum). */
    public void add(SyscallCounters o) {
        for (int i = 0; i < KINDS; i++) {
            calls[i] += o.calls[i];
            eagain[i] += o.eagain[i];
            eintr[i] += o.eintr[i];
            errors[i] += o.errors[i];
            bytes[i] += o.bytes[i];
            shortCalls[i] += o.shortCalls[i];
        }
        for (int i = 0; i < byErrno.length; i++) byErrno[i] += o.byErrno[i];
        if (o.latency != null) {
            if (latency == null) latency = new SyscallLatency();
            latency.add(o.latency);
        }
        for (int i = 0; i < BUCKETS; i++) eventsHistogram[i] += o.eventsHistogram[i];
        events += o.events;
        zeroWakeups += o.zeroWakeups;
        idleWritableEvents += o.idleWritableEvents;
        writableEvents += o.writableEvents;
        accepted += o.accepted;
        closed += o.closed;
        requests += o.requests;
        rejected += o.rejected;
        shed += o.shed;
        staleEvents += o.staleEvents;
        owedDrains += o.owedDrains;
        bufferPoolBytes += o.bufferPoolBytes;
        buffersInUse += o.buffersInUse;
        listenerEvents += o.listenerEvents;
        emptyAcceptWakeups += o.emptyAcceptWakeups;
        cpuNanos += o.cpuNanos;
        ownerCollisions += o.ownerCollisions;
        for (int i = 0; i < UringOp.COUNT; i++) {
            sqes[i] += o.sqes[i];
            cqes[i] += o.cqes[i];
        }
        for (int i = 0; i < cqeErrors.length; i++) cqeErrors[i] += o.cqeErrors[i];
        sqesSubmitted += o.sqesSubmitted;
        cqOverflowEnters += o.cqOverflowEnters;
        enterBusy += o.enterBusy;
        cqDropped += o.cqDropped;
        uringBytesIn += o.uringBytesIn;
        uringBytesOut += o.uringBytesOut;
    }

    /** A copy, taken by the thread that owns this (or after it ended). */
    public SyscallCounters snapshot() {
        SyscallCounters s = new SyscallCounters();
        s.add(this);
        return s;
    }

    /** Overwrites {@code into} with this, allocating nothing (the loop's publication). */
    void copyInto(SyscallCounters into) {
        System.arraycopy(calls, 0, into.calls, 0, KINDS);
        if (latency != null) {
            if (into.latency == null) into.latency = new SyscallLatency();
            latency.copyInto(into.latency);
        }
        System.arraycopy(eagain, 0, into.eagain, 0, KINDS);
        System.arraycopy(eintr, 0, into.eintr, 0, KINDS);
        System.arraycopy(errors, 0, into.errors, 0, KINDS);
        System.arraycopy(bytes, 0, into.bytes, 0, KINDS);
        System.arraycopy(shortCalls, 0, into.shortCalls, 0, KINDS);
        System.arraycopy(byErrno, 0, into.byErrno, 0, byErrno.length);
        System.arraycopy(eventsHistogram, 0, into.eventsHistogram, 0, BUCKETS);
        into.events = events;
        into.zeroWakeups = zeroWakeups;
        into.idleWritableEvents = idleWritableEvents;
        into.writableEvents = writableEvents;
        into.accepted = accepted;
        into.closed = closed;
        into.requests = requests;
        into.rejected = rejected;
        into.shed = shed;
        into.staleEvents = staleEvents;
        into.owedDrains = owedDrains;
        into.bufferPoolBytes = bufferPoolBytes;
        into.buffersInUse = buffersInUse;
        into.listenerEvents = listenerEvents;
        into.emptyAcceptWakeups = emptyAcceptWakeups;
        into.cpuNanos = cpuNanos;
        into.ownerCollisions = ownerCollisions;
        System.arraycopy(sqes, 0, into.sqes, 0, UringOp.COUNT);
        System.arraycopy(cqes, 0, into.cqes, 0, UringOp.COUNT);
        System.arraycopy(cqeErrors, 0, into.cqeErrors, 0, cqeErrors.length);
        into.sqesSubmitted = sqesSubmitted;
        into.cqOverflowEnters = cqOverflowEnters;
        into.enterBusy = enterBusy;
        into.cqDropped = cqDropped;
        into.uringBytesIn = uringBytesIn;
        into.uringBytesOut = uringBytesOut;
    }
}
