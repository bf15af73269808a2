package edgepoll.server.testkit;

import java.util.stream.Stream;

/**
 * The server variants the shared suites run against (JUnit {@code @MethodSource}). A variant is a
 * --mode, except et-short-read (--mode et --drain short-read).
 */
public final class Variants {
    private Variants() {}

    /** Every model. */
    public static Stream<String> all() {
        return Stream.of("et", "lt", "et-short-read", "poll", "busy-poll", "threads", "virtual-threads", "blocking");
    }

    /** Every model that keeps a connection open across requests (all but blocking, which answers one per connection). */
    public static Stream<String> keepAlive() {
        return all().filter(v -> !v.equals("blocking"));
    }

    /** The event-loop models (one thread, non-blocking sockets, the loop's buffers and timers). */
    public static Stream<String> loops() {
        return Stream.of("et", "lt", "et-short-read", "poll", "busy-poll");
    }

    /** The blocking models (a thread per connection or one at a time). */
    public static Stream<String> blocking() {
        return Stream.of("blocking", "threads", "virtual-threads");
    }
}
