package edgepoll.server.testkit;

/**
 * Deliberate scenario timing, and only that: a slow reader that does not read for a while, a
 * slowloris byte gap, a client paced at a given rate, a measuring window, a timeout the test is
 * about. Never to wait for something to happen: that is {@link Await#until} on the condition itself
 * (a counter, /proc, a file, a port). This is the one place in the test tree that may call
 * Thread.sleep (the arch test ThreadSleepTest checks it), so every scenario pause says why it is one.
 */
public final class Pace {
    private Pace() {}

    /** Lets {@code ms} pass on purpose; {@code why} names the scenario (it is read, not printed). */
    public static void hold(long ms, String why) throws InterruptedException {
        if (why == null || why.isBlank()) throw new IllegalArgumentException("a scenario pause says why it is one");
        Thread.sleep(ms);
    }
}
