package edgepoll.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How other threads see a running loop's counters: a copy the loop thread itself makes at the end
 * of a batch, when some reader asked for one, so every figure in it belongs to the same batch
 * boundary (a consistent past). The loop never shares its live {@link SyscallCounters}.
 *
 * <p>One preallocated copy under a seqlock: the loop makes the sequence odd, fills the copy, and
 * makes it even again with a release store; a reader copies it between two reads of an even, equal
 * sequence, or tries again. The loop allocates nothing, takes no lock, and pays one volatile read
 * per batch while nobody asks ({@link #wanted()}).
 */
public final class PublishedCounters {
    private static final VarHandle SEQ;

    static {
        try {
            SEQ = MethodHandles.lookup().findVarHandle(PublishedCounters.class, "seq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SyscallCounters copy = new SyscallCounters();
    /** Odd while the loop writes {@link #copy}; twice the number of publications otherwise. */
    @SuppressWarnings("unused")
    private long seq;
    private volatile boolean wanted;

    /** Any thread: asks the loop to publish at the end of its next batch. */
    public void request() {
        wanted = true;
    }

    /** The loop thread, once per batch: whether a reader asked. */
    public boolean wanted() {
        return wanted;
    }

    /** The loop thread: publishes a copy of {@code live} (no allocation). */
    public void publish(SyscallCounters live) {
        wanted = false;
        long s = (long) SEQ.get(this);
        SEQ.setOpaque(this, s + 1);
        VarHandle.storeStoreFence();
        live.copyInto(copy);
        SEQ.setRelease(this, s + 2);
    }

    /** Publications so far: a reader waits for this to grow after {@link #request()}. */
    public long publications() {
        return (long) SEQ.getAcquire(this) >>> 1;
    }

    /**
     * Any thread: a copy of the latest publication (zeros before the first). Retries while the loop
     * is writing, a bounded number of times (a publication is a few microseconds of copying).
     */
    public SyscallCounters read() {
        for (int attempt = 0; attempt < 100_000; attempt++) {
            long s1 = (long) SEQ.getAcquire(this);
            if (s1 == 0) return new SyscallCounters();
            if ((s1 & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            SyscallCounters out = new SyscallCounters();
            out.add(copy);
            VarHandle.loadLoadFence();
            if ((long) SEQ.getAcquire(this) == s1) return out;
        }
        throw new IllegalStateException("counters kept changing while being read");
    }
}
