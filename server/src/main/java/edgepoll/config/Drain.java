package edgepoll.config;

import java.util.List;

/** Every {@code --drain} (ET only), parsed once; printed back as the flag's word ({@link #toString()}). */
public enum Drain {
    /** Read until EAGAIN (seed 001's rule). */
    STRICT,
    /** Stop at a short read (epoll(7) allows it). */
    SHORT_READ,
    /**
     * One read per edge, never to EAGAIN: the mistake seed 001 warns about, kept to show the stall
     * it causes (scripts/et-stall-demo). Not in {@link #LISTED}: nothing that walks the list of
     * drains (tests, experiments, --help's choice list) ever gets it; it is accepted only when a
     * command line names it, and the server then prints a warning line on stderr.
     */
    NAIVE;

    /** The drains --help offers and every suite walks: all but {@link #NAIVE}. */
    public static final List<Drain> LISTED = List.of(STRICT, SHORT_READ);

    /** The flag's word: strict, short-read, naive. */
    @Override
    public String toString() {
        return Flags.spelling(this);
    }
}
