package edgepoll.bench.peers;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/** What every peer's main method shares (bench-uring's NettyUringServer too): flags, the first stdout line and the stop signals. */
public final class PeerMain {
    private PeerMain() {}

    /** The options, or one line on stderr and exit 2 for a bad flag ({@code --help}: usage, exit 0). */
    public static PeerOptions options(String name, String[] args, boolean modes) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(PeerOptions.usage(name, modes));
                System.exit(0);
            }
        }
        try {
            return PeerOptions.parse(args, modes);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(2);
            return null;
        }
    }

    /** Counts down on SIGINT or SIGTERM, which then no longer end the JVM by themselves (exit 143). */
    public static CountDownLatch stopSignal(Runnable onSignal) {
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), s -> { stop.countDown(); onSignal.run(); });
        Signal.handle(new Signal("TERM"), s -> { stop.countDown(); onSignal.run(); });
        return stop;
    }

    /** The first stdout line, printed once the socket accepts: {@code listening on 127.0.0.1:PORT}. */
    public static void announce(InetSocketAddress bound) {
        String host = bound.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) host = "[" + host + "]";
        System.out.println("listening on " + host + ":" + bound.getPort());
        System.out.flush();
    }

    /** A bind or listen failure: one line, exit 1 (as edgepoll does). */
    public static void failToBind(String name, PeerOptions o, Throwable e) {
        System.err.println(name + ": cannot listen on " + o.bind() + ":" + o.port() + ": " + e.getMessage());
        System.exit(1);
    }
}
