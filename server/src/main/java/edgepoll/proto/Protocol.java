package edgepoll.proto;

import edgepoll.config.Options;
import java.lang.foreign.Arena;
import java.util.function.Supplier;

/**
 * What a connection speaks. The serving code (an event loop, a blocking session) owns reading,
 * writing and buffers; a protocol only turns received bytes into reply bytes, in place, with no
 * allocation, through the connection's {@link Exchange}.
 */
public interface Protocol {
    /**
     * The protocol {@code options} ask for, its response templates in {@code arena} (the owning
     * thread's). {@code stats} answers GET /_edgepoll/stats (null: no endpoint); {@code closeEach}
     * makes HTTP close after every reply (the blocking model, as the seed's first server).
     */
    static Protocol create(Arena arena, Options options, Supplier<String> stats, boolean closeEach) {
        if (!options.http()) return new EchoProtocol();
        return new HttpProtocol(new HttpResponses(arena, options.responseSize()), options.maxHeaderBytes(), stats, closeEach);
    }

    /**
     * Consumes complete requests from {@code c.in[c.inPos, c.inLen)} (advancing {@code c.inPos}) and
     * appends their replies to {@code c.out} from {@code c.outLen} (advancing it), in order. Stops when
     * the next reply would not fit, when no complete request is buffered, or after queuing a large
     * body or a close ({@code c.bodyLength}, {@code c.closeAfterFlush}). {@code c.out} is never null here.
     *
     * @return the number of requests answered (for the counters)
     */
    int process(Exchange c);

    /** Called once a second by the loop before processing, with the wall-clock second. */
    default void tick(long epochSecond) {}

    /** Whether bytes received after a reply that closes the connection may be discarded unread. */
    default boolean isHttp() {
        return false;
    }
}
