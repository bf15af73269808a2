package edgepoll.load;

import edgepoll.sys.CallState;
import edgepoll.sys.Net;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.sys.TimeVal;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * {@code java -jar edgepoll.jar load [options]}: drives an http or echo server with
 * {@code --connections} connections spread over {@code --threads} {@link LoadThread}s for a warm-up
 * and then a measured {@code --duration}, and reports throughput, errors and latency percentiles.
 * Exit 0 after a run, 2 for a bad flag, 1 when the server cannot be reached or a thread failed.
 *
 * <p>The calling thread coordinates: once a second it takes each thread's interval histogram (the
 * threads record without a lock) and prints the progress line; at the end it joins the threads and
 * adds up their counters.
 */
public final class Load {
    private Load() {}

    /** The command line; returns the exit status. */
    public static int main(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                out.println(LoadOptions.usage());
                return 0;
            }
        }
        LoadOptions o;
        try {
            o = LoadOptions.parse(args);
            try (Arena arena = Arena.ofConfined()) {
                SockAddrs.of(arena, o.host(), o.port());
            }
        } catch (IllegalArgumentException e) {
            err.println("edgepoll load: " + e.getMessage());
            return 2;
        }
        try {
            LoadResult r = run(o, o.quiet() ? null : err);
            out.print(r.summary());
            if (o.json() != null) r.writeJson(Path.of(o.json()));
            return 0;
        } catch (SyscallException e) {
            err.println("edgepoll load: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("edgepoll load: cannot write " + o.json() + ": " + e.getMessage());
            return 1;
        } catch (IllegalStateException e) {
            err.println("edgepoll load: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Runs the load and returns its figures; {@code progress} gets a line a second (null: none).
     *
     * @throws SyscallException      when the server does not accept a first connection
     * @throws IllegalStateException when a generator thread failed
     */
    public static LoadResult run(LoadOptions o, PrintStream progress) throws SyscallException, InterruptedException {
        probe(o);
        byte[] request = o.http()
                ? ("GET " + o.path() + " HTTP/1.1\r\nHost: " + target(o) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)
                : message(o.messageSize(), false);
        byte[] expected = o.http() ? null : message(o.messageSize(), true);
        long start = System.nanoTime();
        long measureAt = start + o.warmupMs() * 1_000_000;
        long endAt = measureAt + o.durationMs() * 1_000_000;
        LoadThread[] threads = new LoadThread[o.threads()];
        Thread[] running = new Thread[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int share = o.connections() / threads.length + (t < o.connections() % threads.length ? 1 : 0);
            threads[t] = new LoadThread(t, o, share, request, expected, (double) o.rate() * share / o.connections(),
                    measureAt, endAt);
            running[t] = Thread.ofPlatform().name("edgepoll-load-" + t).start(threads[t]);
        }
        Histogram total = new Histogram(LoadThread.MAX_LATENCY_NS, 3);
        Histogram interval = new Histogram(LoadThread.MAX_LATENCY_NS, 3);
        Histogram second = new Histogram(LoadThread.MAX_LATENCY_NS, 3);
        for (long tick = start + 1_000_000_000L; tick < endAt; tick += 1_000_000_000L) {
            if (!sleepUntil(tick, running)) break;
            second.reset();
            long requests = 0, errors = 0;
            for (LoadThread t : threads) {
                t.latency.getIntervalHistogramInto(interval);
                second.add(interval);
                requests += t.requestsSoFar;
                errors += t.errorsSoFar;
            }
            total.add(second);
            if (progress != null) progress.println(progressLine(o, tick - start, measureAt - start, requests, errors, second));
        }
        LoadCounters sum = new LoadCounters();
        long allocated = 0;
        for (int t = 0; t < threads.length; t++) {
            running[t].join(Math.max(1, (endAt - System.nanoTime()) / 1_000_000) + 10_000);
            LoadThread lt = threads[t];
            if (running[t].isAlive()) throw new IllegalStateException("generator thread " + t + " did not stop");
            if (lt.failure != null) throw new IllegalStateException("generator thread " + t + " failed: " + lt.failure, lt.failure);
            lt.latency.getIntervalHistogramInto(interval);
            total.add(interval);
            sum.add(lt.counters);
            allocated += Math.max(0, lt.allocatedBytes);
        }
        return new LoadResult(o, o.durationMs() / 1000.0, sum, total,
                sum.requests == 0 ? Double.NaN : (double) allocated / sum.requests);
    }

    /** Sleeps until System.nanoTime() reaches {@code deadline}; false if every thread ended before. */
    private static boolean sleepUntil(long deadline, Thread[] threads) throws InterruptedException {
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
            boolean alive = false;
            for (Thread t : threads) alive |= t.isAlive();
            if (!alive) return false;
        }
        return true;
    }

    private static String progressLine(LoadOptions o, long elapsedNs, long warmupNs, long requests, long errors, Histogram lastSecond) {
        double total = (o.warmupMs() + o.durationMs()) / 1000.0;
        if (elapsedNs <= warmupNs) {
            return String.format(Locale.ROOT, "edgepoll load: %.0fs/%.0fs warm-up", elapsedNs / 1e9, total);
        }
        double measured = (elapsedNs - warmupNs) / 1e9;
        return String.format(Locale.ROOT, "edgepoll load: %.0fs/%.0fs  req/s %.0f  p99 %s (last second)  errors %d",
                elapsedNs / 1e9, total, requests / measured, LoadResult.time(lastSecond.getValueAtPercentile(99) / 1000.0), errors);
    }

    /** HOST:PORT, with an IPv6 address in brackets. */
    static String target(LoadOptions o) {
        return (o.host().indexOf(':') >= 0 ? "[" + o.host() + "]" : o.host()) + ":" + o.port();
    }

    /** Echo: {@code size} letters a-z over and over, or the upper-case reply the server must send. */
    static byte[] message(int size, boolean upper) {
        byte[] m = new byte[size];
        for (int i = 0; i < size; i++) m[i] = (byte) ((upper ? 'A' : 'a') + i % 26);
        return m;
    }

    /** One blocking connect (5 s at most), so an unreachable server is one line and exit 1, not a run of errors. */
    private static void probe(LoadOptions o) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            SockAddrs.SockAddr addr = SockAddrs.of(arena, o.host(), o.port());
            int fd = SyscallException.check("socket", Syscalls.socket(cs, addr.family(), Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0));
            try {
                MemorySegment tv = TimeVal.allocate(arena);
                TimeVal.set(tv, 5000);
                Syscalls.setsockopt(cs, fd, Net.SOL_SOCKET, Net.SO_SNDTIMEO, tv, (int) tv.byteSize());  // bounds connect(2)
                SyscallException.check("cannot connect to " + target(o), Syscalls.connect(cs, fd, addr.segment(), addr.length()));
            } finally {
                Syscalls.close(cs, fd);
            }
        }
    }
}
