package edgepoll.bench.peers;

import java.util.List;

/**
 * The peers' command line, a subset of edgepoll's with the same names and defaults except the
 * port (0, ephemeral, since the harness starts several peers side by side).
 *
 * @param bind         address to listen on
 * @param port         TCP port, 0 for an ephemeral one
 * @param protocol     {@code http} or {@code echo}
 * @param mode         {@code et} or {@code lt}; only a peer whose readiness API has both accepts the flag
 * @param responseSize HTTP body size in bytes ("Hello, world!" repeated or cut)
 */
record PeerOptions(String bind, int port, String protocol, String mode, int responseSize) {

    boolean http() {
        return protocol.equals("http");
    }

    boolean edgeTriggered() {
        return mode.equals("et");
    }

    static String usage(String name, boolean modes) {
        return "usage: " + name + " [--bind ADDR (127.0.0.1)] [--port N (0)] [--protocol http|echo (http)]"
                + (modes ? " [--mode et|lt (et)]" : "") + " [--response-size BYTES (13)]";
    }

    /** Parses {@code --flag value} and {@code --flag=value}; {@code --mode} only when {@code modes}. */
    static PeerOptions parse(String[] args, boolean modes) {
        String bind = "127.0.0.1", protocol = "http", mode = "et";
        int port = 0, responseSize = 13;
        List<String> a = edgepoll.server.Options.splitEquals(args);
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            boolean known = switch (flag) {
                case "--bind", "--port", "--protocol", "--response-size" -> true;
                case "--mode" -> modes;
                default -> false;
            };
            if (!known) throw new IllegalArgumentException("unknown option: " + flag);
            if (i + 1 >= a.size()) throw new IllegalArgumentException(flag + " needs a value");
            String v = a.get(++i);
            switch (flag) {
                case "--bind" -> bind = v;
                case "--port" -> port = number(flag, v, 0, 65535);
                case "--protocol" -> protocol = oneOf(flag, v, "http", "echo");
                case "--mode" -> mode = oneOf(flag, v, "et", "lt");
                case "--response-size" -> responseSize = number(flag, v, 0, 64 << 20);
                default -> throw new AssertionError(flag);
            }
        }
        return new PeerOptions(bind, port, protocol, mode, responseSize);
    }

    private static String oneOf(String flag, String v, String... allowed) {
        return edgepoll.server.Options.oneOf(flag, v, allowed);
    }

    private static int number(String flag, String v, int min, int max) {
        return (int) edgepoll.server.Options.number(flag, v, min, max);
    }
}
