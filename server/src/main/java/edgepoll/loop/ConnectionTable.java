package edgepoll.loop;

import edgepoll.worker.BufferPool;
import edgepoll.config.Options;
import edgepoll.stats.JfrEvents;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.kernel.Token;
import edgepoll.transport.Deadlines;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The loop's connections, by fd number: slots and their generations, the buffers lent to them from
 * the {@link BufferPool}, their {@link Deadlines} (idle, header, linger: the transport's one rule),
 * and deferred closing. Owned by the loop thread.
 *
 * <p><b>Closing is deferred.</b> {@link #closeLater} only marks a connection CLOSED and drops its
 * buffers and timers; its fd is closed by {@link #closeDeferred} after the batch, so no fd number
 * can be reused by an accept within the batch, and the batch's other events for it find it marked.
 * Across batches the generation in the token guards the same way: {@link #lookup} answers only for a
 * live connection of the token's generation.
 */
final class ConnectionTable {
    private final LoopSyscalls sys;
    private final Readiness readiness;
    final BufferPool pool;
    private final int maxConnections;
    private Connection[] slots = new Connection[1024];
    /** Connections open or lingering (not yet closed). */
    int open;
    /** The connections' timers. */
    final Deadlines deadlines;
    private int[] toClose = new int[256];
    private int toCloseCount;

    ConnectionTable(LoopSyscalls sys, Readiness readiness, BufferPool pool, Options options) {
        this.sys = sys;
        this.readiness = readiness;
        this.pool = pool;
        this.maxConnections = options.maxConnections();
        this.deadlines = new Deadlines(options);
    }

    /**
     * A new socket from accept4: its slot, reset, with a new generation; or null when it is over
     * --max-connections (then it is closed at once and counted: the client sees EOF).
     */
    Connection open(int fd) {
        if (maxConnections > 0 && open >= maxConnections) {
            sys.close(fd);
            sys.counters.countRejected();
            return null;
        }
        if (fd >= slots.length) slots = Arrays.copyOf(slots, Math.max(fd + 1, slots.length * 2));
        Connection c = slots[fd];
        if (c == null) c = slots[fd] = new Connection(fd);
        c.open();
        sys.counters.countAccepted();
        open++;
        return c;
    }

    /** The live connection {@code token} names, or null (and counted) for a stale or closed one. */
    Connection lookup(long token) {
        int fd = Token.fd(token);
        Connection c = fd >= 0 && fd < slots.length ? slots[fd] : null;
        if (c != null && c.generation == Token.generation(token) && c.live()) return c;
        sys.counters.countStaleEvent();
        return null;
    }

    static long token(Connection c) {
        return Token.of(c.fd, c.generation);
    }

    /**
     * The loop's scratch pair, taken from the pool when first needed: the input and output buffers
     * lent to the one connection being served, for the length of its turn. In the common keep-alive
     * exchange (the request arrives in one read, the reply leaves whole) the connection's turn ends
     * with both empty, so lending them is a field store and giving them back a null store: no pool
     * work per request. A connection that ends its turn still holding bytes (part of a request, a
     * reply the kernel did not take) keeps the scratch buffer as its own and the loop takes another
     * from the pool next time; that buffer goes back to the pool once it is empty again.
     */
    private MemorySegment scratchIn, scratchOut;

    /** Lends {@code c} an input buffer if it has none: the loop's scratch one. */
    void lendInput(Connection c) {
        if (c.in == null) {
            MemorySegment s = scratchIn;
            c.in = s != null ? s : (scratchIn = pool.acquire());
        }
    }

    /** Lends {@code c} an output buffer if it has none: the loop's scratch one. */
    void lendOutput(Connection c) {
        if (c.out == null) {
            MemorySegment s = scratchOut;
            c.out = s != null ? s : (scratchOut = pool.acquire());
        }
    }

    /**
     * Ends the connection's hold on its buffers once they hold nothing (the scratch ones stay the
     * loop's, others go back to the pool); a scratch buffer that still holds bytes becomes the
     * connection's. Runs at the end of every turn of a connection that was lent one.
     */
    void releaseIdleBuffers(Connection c) {
        MemorySegment s = c.in;
        if (s != null) {
            if (c.inPos == c.inLen) {
                if (s != scratchIn) pool.release(s);
                c.in = null;
                c.inPos = c.inLen = 0;
            } else if (s == scratchIn) {
                scratchIn = null;
            }
        }
        s = c.out;
        if (s != null) {
            if (!c.outputPending()) {
                if (s != scratchOut) pool.release(s);
                c.out = null;
                c.outPos = c.outLen = 0;
            } else if (s == scratchOut) {
                scratchOut = null;
            }
        }
    }

    /** Buffers lent to connections beyond their turn (the loop's scratch pair not counted). */
    long buffersHeld() {
        return pool.inUse() - (scratchIn != null ? 1 : 0) - (scratchOut != null ? 1 : 0);
    }

    /** Loop index, for the JFR close event. */
    int loopIndex;
    /** Reused for every close; written only while a JFR recording asks for it (JfrEvents). */
    private final JfrEvents.ConnectionClose closeEvent = new JfrEvents.ConnectionClose();

    /** Marks {@code c} closed now; its fd is closed after the batch. */
    void closeLater(Connection c) {
        closeLater(c, null);
    }

    /** As {@link #closeLater(Connection)}, saying why (for the JFR close event); null: derived from the connection's state. */
    void closeLater(Connection c, String reason) {
        if (!c.markClosed(reason)) return;
        c.resetBytes();
        releaseIdleBuffers(c);
        c.owed = c.readOwed = false;
        if (toCloseCount == toClose.length) toClose = Arrays.copyOf(toClose, toCloseCount * 2);
        toClose[toCloseCount++] = c.fd;
    }

    /** Closes the fds the batch marked; returns how many. */
    int closeDeferred() {
        int n = toCloseCount;
        for (int i = 0; i < n; i++) {
            Connection c = slots[toClose[i]];
            readiness.forgetBeforeClose(c.fd);
            sys.close(c.fd);
            if (closeEvent.isEnabled()) {
                closeEvent.begin();
                closeEvent.loop = loopIndex;
                closeEvent.fd = c.fd;
                closeEvent.requests = c.exchanges;
                closeEvent.bytesIn = c.bytesIn;
                closeEvent.bytesOut = c.bytesOut;
                closeEvent.reason = c.closeReason;
                closeEvent.end();
                closeEvent.commit();
            }
            c.state = Connection.FREE;
            sys.counters.countClosed();
            open--;
        }
        toCloseCount = 0;
        return n;
    }

    /** Graceful stop: marks closed every live connection with nothing left to send (all of them if {@code all}). */
    void closeQuiet(boolean all) {
        for (Connection c : slots) {
            if (c != null && c.live() && (all || !c.outputPending())) closeLater(c, "server-stop");
        }
    }
}
