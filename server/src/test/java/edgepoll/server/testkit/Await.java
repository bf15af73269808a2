package edgepoll.server.testkit;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** A bounded wait for a condition: polls {@code probe} until it answers non-null, or fails naming what it waited for. */
public final class Await {
    private Await() {}

    public static <T> T until(long timeoutMs, String what, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            T v = probe.call();
            if (v != null) return v;
            if (System.nanoTime() > deadline) throw new AssertionError("waited " + timeoutMs + " ms for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * Polls {@code probe} until {@code done} accepts its value or {@code timeoutMs} pass, and returns
     * the last value either way: for a wait whose caller asserts on the value (so a failure shows it).
     */
    public static <T> T settle(long timeoutMs, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            T v = probe.call();
            if (done.test(v) || System.nanoTime() > deadline) return v;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
