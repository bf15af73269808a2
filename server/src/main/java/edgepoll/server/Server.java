package edgepoll.server;

import edgepoll.sys.CallState;
import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code --loops} event loops, each on its own thread with its own listener (SO_REUSEPORT
 * when there are several), and stops them. Owns one wake eventfd per loop, written by
 * {@link #stop()} and closed after the loop thread ended. Used by Main and, in-process, by tests and
 * benchmarks.
 */
public final class Server implements AutoCloseable {
    private final Options options;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int[] wakeFds;
    private final int port;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment cs = CallState.allocate(arena);
    private boolean stopped;

    private Server(Options options) throws SyscallException {
        this.options = options;
        this.wakeFds = new int[options.loops()];
        int p = options.port();
        List<Integer> opened = new ArrayList<>();
        try {
            for (int i = 0; i < options.loops(); i++) {
                Listener.Bound b = Listener.open(options.bind(), p, options.backlog(), options.loops() > 1, options.nodelay());
                opened.add(b.fd());
                p = b.port();  // the other loops join the port the first one got
                wakeFds[i] = SyscallException.check("eventfd", Syscalls.eventfd(cs, 0, Net.EFD_NONBLOCK | Net.EFD_CLOEXEC));
                opened.add(wakeFds[i]);
                EventLoop loop = options.edgeTriggered()
                        ? new EtLoop(i, options, b.fd(), wakeFds[i])
                        : new LtLoop(i, options, b.fd(), wakeFds[i]);
                loop.statsSource = options.http() ? () -> liveStats().toJson() : null;
                loops.add(loop);
            }
        } catch (SyscallException | RuntimeException e) {
            for (int fd : opened) Syscalls.close(cs, fd);
            arena.close();
            throw e;
        }
        this.port = p;
    }

    /** Binds every listener, starts every loop, and returns once all of them wait for events. */
    public static Server start(Options options) throws SyscallException, InterruptedException {
        ClassPreloader.loadAll(Server.class, Syscalls.class);
        Server s = new Server(options);
        for (EventLoop loop : s.loops) {
            Thread t = new Thread(loop, "edgepoll-loop-" + loop.index);
            s.threads.add(t);
            t.start();
        }
        for (EventLoop loop : s.loops) {
            loop.started.await();
            if (loop.failure != null) {
                s.stop();
                throw new IllegalStateException("loop " + loop.index + " failed to start: " + loop.failure, loop.failure);
            }
        }
        return s;
    }

    public int port() {
        return port;
    }

    public Options options() {
        return options;
    }

    /** Kernel thread ids of the loop threads (for strace -p and the stats). */
    public int[] loopThreadIds() {
        return loops.stream().mapToInt(l -> l.tid).toArray();
    }

    /**
     * Stops every loop (each closes its connections, listener and epoll fd), waits for them, and
     * returns the final stats. Idempotent.
     */
    public synchronized Stats stop() throws InterruptedException {
        if (!stopped) {
            stopped = true;
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
            for (int i = 0; i < loops.size(); i++) {
                loops.get(i).stopRequested = true;
                Syscalls.write(cs, wakeFds[i], one, 8);
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            for (int fd : wakeFds) Syscalls.close(cs, fd);
            writeTrace();
        }
        return stats();
    }

    /** --trace: every loop's record, one after the other, with a header naming what was traced. */
    private void writeTrace() {
        if (options.trace() == null) return;
        StringBuilder sb = new StringBuilder("# edgepoll trace: mode=" + options.mode() + " drain=" + options.drain()
                + " protocol=" + options.protocol() + "; first " + options.traceConnections()
                + " connections per loop; seconds since the loop started\n");
        for (EventLoop l : loops) {
            sb.append("# loop ").append(l.index).append(" tid ").append(l.tid).append('\n');
            if (l.tracer != null) sb.append(l.tracer.text());
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(options.trace()), sb);
        } catch (java.io.IOException e) {
            System.err.println("edgepoll: cannot write trace " + options.trace() + ": " + e.getMessage());
        }
    }

    /** Stats as of each loop's last completed batch, from any thread, while the loops run. */
    public Stats liveStats() {
        List<Stats.Loop> per = new ArrayList<>();
        for (EventLoop l : loops) {
            per.add(new Stats.Loop(l.index, l.tid, l.liveCounters(), l.allocatedBytes, l.failure));
        }
        return new Stats(options, port, per);
    }

    /** Stats of the stopped loops (counters are final once the loop threads ended). */
    public Stats stats() {
        List<Stats.Loop> per = new ArrayList<>();
        for (EventLoop l : loops) {
            per.add(new Stats.Loop(l.index, l.tid, l.result != null ? l.result : new SyscallCounters(),
                    l.allocatedBytes, l.failure));
        }
        return new Stats(options, port, per);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        if (arena.scope().isAlive()) arena.close();
    }
}
