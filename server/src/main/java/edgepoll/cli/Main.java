package edgepoll.cli;

import edgepoll.config.Options;
import edgepoll.server.Server;
import edgepoll.stats.Stats;
import edgepoll.stats.SyscallCounters;

import edgepoll.sys.Platform;
import edgepoll.sys.SyscallException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * {@code java -jar edgepoll.jar [options]}: starts the server ({@code java -jar edgepoll.jar client}
 * runs the seeds' interactive client instead, see {@link Client}; {@code load} the load generator, see
 * {@link edgepoll.load.Load}) (edge-triggered HTTP by default),
 * prints {@code listening on HOST:PORT mode=MODE drain=POLICY protocol=PROTOCOL loops=N} as its first line, and
 * on SIGINT or SIGTERM stops the loops, writes {@code --stats-json}, prints the syscall summary to
 * stderr and exits 0. A bad flag: one line and the usage on stderr, exit 2. A bind failure or an
 * unsupported platform: one line, exit 1.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String refusal = Platform.unsupportedReason();
        if (refusal != null) {
            System.err.println(refusal);
            System.exit(1);
        }
        if (args.length > 0 && args[0].equals("client")) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            try {
                System.exit(Client.run(rest, System.out));
            } catch (IllegalArgumentException e) {
                System.err.println("edgepoll: " + e.getMessage());
                System.exit(2);
            } catch (SyscallException e) {
                System.err.println("edgepoll client: " + e.getMessage());
                System.exit(1);
            }
        }
        if (args.length > 0 && args[0].equals("load")) {
            System.exit(edgepoll.load.Load.main(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(Options.usage());
                return;
            }
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("edgepoll: " + e.getMessage());
            System.err.println(Options.usage());
            System.exit(2);
            return;
        }
        System.exit(serve(options));
    }

    static int serve(Options options) throws Exception {
        Server server;
        try {
            server = Server.start(options);
        } catch (SyscallException | IllegalArgumentException e) {
            System.err.println("edgepoll: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        String host = options.bind().indexOf(':') >= 0 ? "[" + options.bind() + "]" : options.bind();
        System.out.println("listening on " + host + ":" + server.port() + " mode=" + options.mode()
                + " drain=" + options.drainPolicy() + " protocol=" + options.protocol() + " loops=" + options.loops());
        System.out.flush();
        StringBuilder tids = new StringBuilder("edgepoll: loop thread ids (for strace -p):");
        for (int tid : server.loopThreadIds()) tids.append(' ').append(tid);
        System.err.println(tids);
        Thread reporter = options.statsIntervalMs() > 0 ? startReporter(server, options) : null;
        if (options.once()) {  // the worker ends by itself after one connection
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    server.awaitTermination(Long.MAX_VALUE / 2_000_000);
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
                stop.countDown();
            });
        }
        stop.await();
        if (reporter != null) {
            reporter.interrupt();
            reporter.join(2_000);
        }
        Stats stats = server.stop();
        server.close();
        if (options.statsJson() != null) {
            stats.writeJson(Path.of(options.statsJson()));
        }
        System.err.print(stats.table());
        int status = 0;
        for (Stats.Loop l : stats.loops()) {
            if (l.failure() != null) {
                System.err.println("edgepoll: loop " + l.index() + " failed: " + l.failure());
                status = 1;
            }
        }
        return status;
    }

    /** Every --stats-interval: rewrite --stats-json with live stats and print one line to stderr. */
    private static Thread startReporter(Server server, Options options) {
        Thread t = new Thread(() -> {
            SyscallCounters before = new SyscallCounters();
            long last = System.nanoTime();
            try {
                while (true) {
                    Thread.sleep(options.statsIntervalMs());
                    Stats live = server.liveStats();
                    long now = System.nanoTime();
                    System.err.println(live.intervalLine(before, (now - last) / 1e9));
                    if (options.statsJson() != null) live.writeJson(Path.of(options.statsJson()));
                    before = live.total();
                    last = now;
                }
            } catch (InterruptedException e) {
                // stopping
            } catch (java.io.IOException e) {
                System.err.println("edgepoll: cannot write " + options.statsJson() + ": " + e.getMessage());
            }
        }, "edgepoll-stats");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
