package edgepoll.server;

import edgepoll.config.Mode;
import edgepoll.config.Options;
import edgepoll.config.TraceFormat;
import edgepoll.loop.Loops;
import edgepoll.loop.SharedEpoll;
import edgepoll.loop.SharedEpollLoop;
import edgepoll.model.BlockingServer;
import edgepoll.stats.Stats;
import edgepoll.uring.UringLoop;
import edgepoll.stats.SyscallCounters;
import edgepoll.sys.CallState;
import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.worker.Listener;
import edgepoll.worker.Worker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code --loops} workers (event loops from edgepoll.loop, or the blocking models of
 * edgepoll.model), each on its own thread with its own listener (SO_REUSEPORT when there are
 * several), and stops them. Owns one wake eventfd per event loop: created here, written through the
 * loop's own wake (a stop, a stats request) and closed here after the loop thread ended. Used by
 * Main and, in-process, by tests and benchmarks.
 *
 * <p>With {@code --listener shared|exclusive} there is one listening socket for all the loops: the
 * Server owns it and closes it once every loop thread ended (no loop closes it). With
 * {@code --shared-epoll} the Server owns the {@link SharedEpoll} (one epoll instance, the listener,
 * the connections) and its one wake eventfd, and closes them after every thread ended.
 */
public final class Server implements AutoCloseable {
    private final Options options;
    private final List<Worker> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Fds the Server closes once every worker thread ended: a shared listener. */
    private final List<Integer> ownedFds = new ArrayList<>();
    /** --shared-epoll: the shared instance, closed once every worker thread ended. */
    private SharedEpoll sharedEpoll;
    private final int port;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment cs = CallState.allocate(arena);
    private boolean stopped;

    private Server(Options options) throws SyscallException {
        this.options = options;
        if (options.naiveDrain()) {
            System.err.println("edgepoll: warning: --drain naive reads once per edge and never to EAGAIN:"
                    + " a request larger than one read stalls until the client sends more (seed 001's mistake, on purpose)");
        }
        int p = options.port();
        if (options.mode() == Mode.URING) UringLoop.checkAvailable();  // refused: one line, before any fd is opened
        List<Integer> opened = new ArrayList<>();
        try {
            if (options.sharesEpoll()) {
                p = startShared(opened);
            }
            int shared = -1;
            if (options.sharedListener() && !options.sharesEpoll()) {
                Listener.Bound b = Listener.open(options.bind(), p, options.backlog(), false, options.nodelay(), true);
                opened.add(b.fd());
                shared = b.fd();
                p = b.port();
            }
            for (int i = 0; i < options.loops() && !options.sharesEpoll(); i++) {
                // The blocking models block in accept4 on a blocking listener; the loops never block on it.
                Listener.Bound b = shared >= 0 ? new Listener.Bound(shared, p)
                        : Listener.open(options.bind(), p, options.backlog(), options.loops() > 1, options.nodelay(), !options.blockingModel());
                if (shared < 0) opened.add(b.fd());
                p = b.port();  // the other loops join the port the first one got
                Worker w = switch (options.mode()) {
                    case BLOCKING, THREADS, VIRTUAL_THREADS -> new BlockingServer(i, options, b.fd());
                    case URING -> new UringLoop(i, options, b.fd(), wakeFd(opened));
                    case ET, LT, POLL, BUSY_POLL -> Loops.create(i, options, b.fd(), wakeFd(opened));
                };
                w.statsSource = options.http() ? () -> liveStats().toJson() : null;
                loops.add(w);
            }
            if (shared >= 0) ownedFds.add(shared);
        } catch (SyscallException | RuntimeException e) {
            if (sharedEpoll != null) sharedEpoll.close();  // closes the listener too
            for (int fd : opened) Syscalls.close(cs, fd);
            arena.close();
            throw e;
        }
        this.port = p;
    }

    /** A loop's wake eventfd, closed by this Server once the loop thread ended (or by the constructor's cleanup). */
    private int wakeFd(List<Integer> opened) throws SyscallException {
        int wakeFd = SyscallException.check("eventfd", Syscalls.eventfd(cs, 0, Net.EFD_NONBLOCK | Net.EFD_CLOEXEC));
        opened.add(wakeFd);
        return wakeFd;
    }

    /** --shared-epoll: one listener, one wake eventfd, one SharedEpoll, --loops threads on it. Returns the port. */
    private int startShared(List<Integer> opened) throws SyscallException {
        Listener.Bound b = Listener.open(options.bind(), options.port(), options.backlog(), false, options.nodelay(), true);
        int wakeFd = Syscalls.eventfd(cs, 0, Net.EFD_NONBLOCK | Net.EFD_CLOEXEC);
        if (wakeFd < 0) {
            Syscalls.close(cs, b.fd());
            throw new SyscallException("eventfd", -wakeFd);
        }
        opened.add(wakeFd);
        try {
            sharedEpoll = new SharedEpoll(options, b.fd(), wakeFd);
        } catch (SyscallException e) {
            Syscalls.close(cs, b.fd());
            throw e;
        }
        ownedFds.add(wakeFd);
        for (int i = 0; i < options.loops(); i++) loops.add(new SharedEpollLoop(i, sharedEpoll));
        return b.port();
    }

    /** Binds every listener, starts every worker, and returns once all of them serve. */
    public static Server start(Options options) throws SyscallException, InterruptedException {
        ClassPreloader.loadAll(Server.class, Syscalls.class);
        Server s = new Server(options);
        for (Worker w : s.loops) {
            Thread t = new Thread(w, "edgepoll-loop-" + w.index);
            s.threads.add(t);
            t.start();
        }
        for (Worker w : s.loops) {
            w.started.await();
            if (w.failure != null) {
                s.stop();
                throw new IllegalStateException("loop " + w.index + " failed to start: " + w.failure, w.failure);
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

    /** Kernel thread ids of the loop (or acceptor) threads, for strace -p and the stats. */
    public int[] loopThreadIds() {
        return loops.stream().mapToInt(l -> l.tid).toArray();
    }

    /** Waits until every worker's thread ended on its own (--once), at most {@code ms}. */
    public boolean awaitTermination(long ms) throws InterruptedException {
        long deadline = System.nanoTime() + ms * 1_000_000;
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) return false;
        }
        return true;
    }

    /**
     * Stops every worker (each closes its connections and listener), waits for them, and returns
     * the final stats. Idempotent.
     */
    public synchronized Stats stop() throws InterruptedException {
        if (!stopped) {
            stopped = true;
            for (Worker w : loops) {
                if (threads.isEmpty() || threads.get(w.index).isAlive()) w.requestStop(cs);
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            for (Worker w : loops) {
                for (int fd : w.fdsToCloseAfter()) Syscalls.close(cs, fd);
            }
            // A shared listener or instance is closed only when no thread can use it any more.
            if (threads.stream().noneMatch(Thread::isAlive)) {
                if (sharedEpoll != null) sharedEpoll.close();
                for (int fd : ownedFds) Syscalls.close(cs, fd);
            }
            writeTrace();
        }
        return stats();
    }

    /** --trace: every loop's record, one after the other, with a header naming what was traced. */
    private void writeTrace() {
        if (options.trace() == null) return;
        String what = "mode=" + options.mode() + " drain=" + options.drainPolicy() + " protocol=" + options.protocol()
                + "; first " + options.traceConnections() + " connections per loop";
        StringBuilder sb = new StringBuilder();
        if (options.traceFormat() == TraceFormat.PERFETTO) {
            // Chrome trace-event JSON: ui.perfetto.dev and chrome://tracing open it (docs/timelines.md)
            sb.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"edgepoll\":\"").append(what).append("\"},\"traceEvents\":[\n");
            sb.append("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"edgepoll ")
              .append(what.substring(0, what.indexOf(';'))).append("\"}}");
            for (Worker l : loops) {
                if (l.tracer == null) continue;
                String events = l.tracer.output();
                if (events.endsWith(",\n")) sb.append(",\n").append(events, 0, events.length() - 2);
            }
            sb.append("\n]}\n");
        } else {
            sb.append("# edgepoll trace: ").append(what).append("; seconds since the loop started\n");
            for (Worker l : loops) {
                sb.append("# loop ").append(l.index).append(" tid ").append(l.tid).append('\n');
                if (l.tracer != null) sb.append(l.tracer.output());
            }
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
        for (Worker l : loops) {
            long allocated = l.allocatedBytes;
            if (allocated < 0) {  // still running: ask the JVM for the thread's figure so far
                allocated = Worker.threadAllocatedBytes(threads.get(l.index));
            }
            per.add(new Stats.Loop(l.index, l.tid, l.liveCounters(), allocated, l.failure));
        }
        return new Stats(options, port, per);
    }

    /** Stats of the stopped loops (counters are final once the loop threads ended). */
    public Stats stats() {
        List<Stats.Loop> per = new ArrayList<>();
        for (Worker l : loops) {
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
