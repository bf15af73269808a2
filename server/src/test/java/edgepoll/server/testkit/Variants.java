package edgepoll.server.testkit;

import edgepoll.config.Mode;
import edgepoll.config.Options;
import java.util.stream.Stream;

/**
 * The server variants the shared suites run against (JUnit {@code @MethodSource}). A variant is a
 * --mode, except et-short-read (--mode et --drain short-read).
 */
public final class Variants {
    private Variants() {}

    /**
     * Every model: every --mode the server has (Options.MODES, so a new one is tested at once), and
     * et-short-read. {@code -Dedgepoll.variants=uring,et} narrows every shared suite to those (to
     * rerun one model's cases without the others'); unset, all run.
     */
    public static Stream<String> all() {
        String only = System.getProperty("edgepoll.variants", "");
        Stream<String> all = Stream.concat(Options.MODES.stream(), Stream.of("et-short-read"));
        if (only.isBlank()) return all;
        java.util.List<String> wanted = java.util.List.of(only.split(","));
        return all.filter(wanted::contains);
    }

    /** Every model that keeps a connection open across requests (all but blocking, which answers one per connection). */
    public static Stream<String> keepAlive() {
        return all().filter(v -> !v.equals("blocking"));
    }

    /** The event-loop models (one thread, non-blocking sockets, the loop's buffers and timers). */
    public static Stream<String> loops() {
        java.util.Set<String> blocking = blockingModes();
        return all().filter(v -> !blocking.contains(v));
    }

    /** The blocking models (a thread per connection or one at a time). */
    public static Stream<String> blocking() {
        return all().filter(blockingModes()::contains);
    }

    private static java.util.Set<String> blockingModes() {
        return Mode.ALL.stream().filter(Mode::blockingModel).map(Mode::toString).collect(java.util.stream.Collectors.toSet());
    }
}
