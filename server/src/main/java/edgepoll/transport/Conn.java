package edgepoll.transport;

import edgepoll.proto.Exchange;

/**
 * One accepted TCP connection as every event loop's transport sees it: its {@link Exchange} (the
 * bytes, as the protocol sees them) plus what all three loops keep about the socket: the fd, the
 * generation that travels in the loop's token or user_data, the one set of states, the half-close
 * and cork flags, the per-connection byte counts and close reason (the JFR close event), and the
 * links of the {@link TimerList} it is on. Each loop's connection extends this with what only that
 * loop has (epoll: the registered interest and owed reads; io_uring: requests in the ring and held
 * provided buffers; --shared-epoll: the owner word). Owned by one thread at a time.
 */
public abstract class Conn extends Exchange {
    /**
     * FREE: no socket (never opened, or its fd is closed). OPEN: serving. LINGERING: our FIN is
     * sent, input is read and discarded until the peer's. CLOSED: marked; its fd is being closed
     * (after the epoll loop's batch, or by the ring's close), and then the slot becomes FREE.
     */
    public static final int FREE = 0, OPEN = 1, LINGERING = 2, CLOSED = 3;

    public int fd;
    /** Grows each time the slot gets a new socket: a token or user_data of an earlier one is stale. */
    public int generation;
    public int state = FREE;
    /** Peer sent FIN (a read or recv returned 0). */
    public boolean peerClosed;
    /** --cork: TCP_CORK is set while a batch of pipelined replies leaves in several sends. */
    public boolean corked;
    /** A send is submitted and not complete (completion-based loops only): the output is still being sent. */
    public boolean sendInFlight;
    /** For the JFR close event: bytes read and sent on this connection, and why it closes (null until marked). */
    public long bytesIn, bytesOut;
    public String closeReason;

    /** Intrusive timer list links (see {@link TimerList}); deadline in loop milliseconds. */
    Conn prev, next;
    TimerList timerList;
    long deadline;

    protected Conn(int fd) {
        this.fd = fd;
    }

    /** Open or lingering: its fd is this connection's, and what the kernel reports for it is acted on. */
    public final boolean live() {
        return state == OPEN || state == LINGERING;
    }

    /**
     * Input received and not yet in {@code in} (io_uring's held provided buffers): for the timers it
     * is a request head begun, for the pump more input to come. None by default.
     */
    public boolean holdsInput() {
        return false;
    }

    /** Resets what every loop keeps for a newly accepted socket in this slot (the generation is the loop's). */
    protected final void reopen() {
        state = OPEN;
        resetBytes();
        exchanges = 0;
        closeAfterFlush = false;
        bytesIn = bytesOut = 0;
        closeReason = null;
        peerClosed = corked = sendInFlight = false;
    }

    /**
     * Marks it CLOSED, saying why ({@code reason}, or derived from its state when null), and leaves
     * its timer list. Its fd is the loop's to close. Returns false when it was not live.
     */
    public final boolean markClosed(String reason) {
        if (!live()) return false;
        closeReason = reason != null ? reason
                : state == LINGERING ? "linger-done"
                : peerClosed ? "peer-eof"
                : closeAfterFlush ? "server-close"
                : "error";
        state = CLOSED;
        if (timerList != null) timerList.remove(this);
        return true;
    }
}
