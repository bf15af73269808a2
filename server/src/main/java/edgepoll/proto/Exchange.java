package edgepoll.proto;

import java.lang.foreign.MemorySegment;

/**
 * The bytes of one connection as a {@link Protocol} sees them: what came in and was not consumed
 * yet, and what goes out and was not sent yet. A plain holder with public fields, like a C struct,
 * because two layers write it on the hot path: the protocol (consumes input, appends replies) and
 * the serving code that owns the socket (fills input, sends output) — an event loop's connection
 * (which extends this) or a blocking model's session. Owned by one thread.
 *
 * <p>{@code in} holds received bytes {@code [inPos, inLen)} not yet consumed, {@code out} holds reply
 * bytes {@code [outPos, outLen)} not yet sent, and a large HTTP body is sent by the
 * {@code bodySent/bodyLength} cursor straight from a segment the exchange does not own.
 */
public class Exchange {
    public MemorySegment in;
    public int inPos, inLen;
    public MemorySegment out;
    public int outPos, outLen;
    /** A reply body sent by cursor straight from a segment the connection does not own (shared body, stats). */
    public MemorySegment body;
    public long bodySent, bodyLength;
    /** HTTP request body bytes still to be read and discarded. */
    public long discard;
    /** Close once every queued reply is sent (Connection: close, HTTP/1.0, errors, echo EOF). */
    public boolean closeAfterFlush;
    /**
     * Exchanges completed on this connection: requests answered, and also requests for the stats
     * endpoint, which the counters leave out but which are progress all the same (timers use it).
     */
    public long exchanges;

    public final boolean outputPending() {
        return outPos < outLen || bodySent < bodyLength;
    }

    public final int buffered() {
        return inLen - inPos;
    }

    /**
     * Moves the unconsumed input {@code [inPos, inLen)} to the start of {@code in}, so that all the
     * room left is at its end (before a read or a copy into it). Every loop's transport compacts here.
     */
    public final void compact() {
        if (inPos == 0) return;
        int left = inLen - inPos;
        if (left > 0) MemorySegment.copy(in, inPos, in, 0, left);
        inPos = 0;
        inLen = left;
    }

    /** Forgets every byte and cursor: a new connection, or one that is closing. */
    public final void resetBytes() {
        inPos = inLen = outPos = outLen = 0;
        bodySent = bodyLength = discard = 0;
        body = null;
    }
}
