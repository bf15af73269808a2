package edgepoll.server;

/**
 * What a connection speaks. The loop owns reading, writing and buffers; a protocol only turns
 * received bytes into reply bytes, in place, with no allocation.
 */
interface Protocol {
    /**
     * Consumes complete requests from {@code c.in[c.inPos, c.inLen)} (advancing {@code c.inPos}) and
     * appends their replies to {@code c.out} from {@code c.outLen} (advancing it), in order. Stops when
     * the next reply would not fit, when no complete request is buffered, or after queuing a large
     * body or a close ({@code c.bodyLength}, {@code c.closeAfterFlush}). {@code c.out} is never null here.
     *
     * @return the number of requests answered (for the counters)
     */
    int process(Connection c);

    /** Called once a second by the loop before processing, with the wall-clock second. */
    default void tick(long epochSecond) {}

    /** Whether bytes received after a reply that closes the connection may be discarded unread. */
    default boolean isHttp() {
        return false;
    }
}
