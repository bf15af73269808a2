package edgepoll.bench.peers;

import edgepoll.config.Flags;
import edgepoll.config.Mode;

import java.util.List;

/**
 * The peers' command line, a subset of edgepoll's with the same names and defaults except the
 * port (0, ephemeral, since the harness starts several peers side by side).
 *
 * @param bind         address to listen on
 * @param port         TCP port, 0 for an ephemeral one
 * @param protocol     {@code http} or {@code echo}
 * @param mode         {@link Mode#ET} or {@link Mode#LT}; only a peer whose readiness API has both accepts the flag
 * @param responseSize HTTP body size in bytes ("Hello, world!" repeated or cut)
 */
public record PeerOptions(String bind, int port, String protocol, Mode mode, int responseSize) {

    public boolean http() {
        return protocol.equals("http");
    }

    boolean edgeTriggered() {
        return mode == Mode.ET;
    }

    static String usage(String name, boolean modes) {
        return "usage: " + name + " [--bind ADDR (127.0.0.1)] [--port N (0)] [--protocol http|echo (http)]"
                + (modes ? " [--mode et|lt (et)]" : "") + " [--response-size BYTES (13)]";
    }

    /** Parses {@code --flag value} and {@code --flag=value} (the project's {@link Flags}); {@code --mode} only when {@code modes}. */
    static PeerOptions parse(String[] args, boolean modes) {
        String bind = "127.0.0.1", protocol = "http";
        Mode mode = Mode.ET;
        int port = 0, responseSize = 13;
        Flags f = new Flags(args);
        while (f.hasNext()) {
            String flag = f.next();
            switch (flag) {
                case "--bind" -> bind = f.value();
                case "--port" -> port = f.intValue(0, 65535);
                case "--protocol" -> protocol = f.oneOf(List.of("http", "echo"));
                case "--mode" -> {
                    if (!modes) throw f.unknown();
                    mode = f.oneOf(List.of(Mode.ET, Mode.LT));
                }
                case "--response-size" -> responseSize = f.intValue(0, 64 << 20);
                default -> throw f.unknown();
            }
        }
        return new PeerOptions(bind, port, protocol, mode, responseSize);
    }
}
