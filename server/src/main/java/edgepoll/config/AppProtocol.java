package edgepoll.config;

/** Every {@code --protocol}: what the server speaks; printed back as the flag's word ({@link #toString()}). */
public enum AppProtocol {
    /** The seeds' hello-world HTTP/1.1 (keep-alive, pipelining). */
    HTTP,
    /** The seeds' upper-case line echo. */
    ECHO;

    /** The flag's word: http, echo. */
    @Override
    public String toString() {
        return Flags.spelling(this);
    }
}
