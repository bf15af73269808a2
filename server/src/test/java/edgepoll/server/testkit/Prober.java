package edgepoll.server.testkit;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A well-behaved client measuring latency while a test abuses the server: one keep-alive
 * connection, one request (HTTP) or a 16-byte message (echo) every {@code periodMs}, each timed.
 */
public final class Prober implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private final long[] samples = new long[100_000];
    private int count;
    private volatile Throwable failure;

    public Prober(int port, boolean echo, long periodMs) {
        thread = Thread.ofPlatform().daemon().start(() -> {
            try (RawClient c = new RawClient(port, 10_000)) {
                byte[] msg = "probe-0123456789".getBytes();
                while (!stop.get() && count < samples.length) {
                    long t0 = System.nanoTime();
                    if (echo) {
                        c.send(msg);
                        c.socket.getInputStream().readNBytes(msg.length);
                    } else {
                        c.send("GET / HTTP/1.1\r\n\r\n");
                        c.readResponse(false);
                    }
                    samples[count++] = System.nanoTime() - t0;
                    Pace.hold(periodMs, "a well-behaved client paced at one request per period, not a flood");
                }
            } catch (Throwable t) {
                if (!stop.get()) failure = t;
            }
        });
    }

    /** Stops probing; returns {p50, p99, max} in milliseconds and asserts the prober never failed. */
    public double[] finish() throws InterruptedException {
        stop.set(true);
        thread.join(15_000);
        if (failure != null) throw new AssertionError("the well-behaved client failed: " + failure, failure);
        long[] s = Arrays.copyOf(samples, count);
        Arrays.sort(s);
        if (s.length == 0) throw new AssertionError("the well-behaved client completed no request");
        return new double[] {s[s.length / 2] / 1e6, s[Math.min(s.length - 1, s.length * 99 / 100)] / 1e6, s[s.length - 1] / 1e6, s.length};
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(15_000);
    }
}
