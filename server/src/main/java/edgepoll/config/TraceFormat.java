package edgepoll.config;

/** Every {@code --trace-format}; printed back as the flag's word ({@link #toString()}). */
public enum TraceFormat {
    /** strace-like lines. */
    TEXT,
    /** Chrome trace-event JSON, for ui.perfetto.dev and chrome://tracing (docs/timelines.md). */
    PERFETTO;

    /** The flag's word: text, perfetto. */
    @Override
    public String toString() {
        return Flags.spelling(this);
    }
}
