package edgepoll.worker;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;

/**
 * The spare fds of libuv's EMFILE trick (libev calls it "accept when you can't"): at the fd limit
 * with connections queued, a spare fd is closed so that each accept4 gets an fd, what accept4
 * returns is closed at once (the client sees a clean close instead of hanging in the backlog) until
 * the queue is empty or the budget is spent, and the spare is taken back.
 *
 * <p><b>One pool for the process.</b> Fds are a process resource, so the spares are too: every
 * running loop adds one eventfd ({@link #join}) and takes it out when it ends ({@link #leave}), and
 * any loop at the limit sheds with any spare. A spare given up to shed leaves one fd number free,
 * and any thread of the process may take it first: another loop's accept4 (its own listener under
 * reuseport, an io_uring multishot accept in the kernel) or a JVM thread. With one spare per loop,
 * that loop then had none and never shed again while none of its own connections closed: with
 * {@code --loops 4} at the limit every loop lost its spare within seconds and thousands of clients
 * hung in the accept queues (docs/many-loops.md, "At the fd limit"). So now:
 * <ul>
 *   <li>a loop that took the number gives it back: after every accept4 that succeeded, the loop
 *       calls {@link #repay}, which (one volatile read) does nothing unless the pool is short, and
 *       then takes the spare back, closing that new connection first if no other fd is free;</li>
 *   <li>a shed whose spare was taken before its accept4 (EMFILE at once) goes on with the next;</li>
 *   <li>any other loss (a JVM thread) is retaken at the next pause end or close ({@link #retake}).</li>
 * </ul>
 * Guarded by this object's monitor: taken only at the limit (a shed, a retake, a repay while short),
 * never on the path of a request. Every syscall goes through the calling loop's LoopSyscalls (counted
 * on that loop). The fds are owned by the pool; the last loop to leave closes the last one.
 */
public final class FdReserve {
    /** Most queued connections shed in one go, so a flood cannot hold the loop. */
    public static final int SHED_BUDGET = 1024;

    /** The process's pool: every loop of every Server in this JVM holds one spare in it while it runs. */
    public static final FdReserve PROCESS = new FdReserve();

    private int[] fds = new int[8];
    /** Spares held, and spares wanted (one per running loop). */
    private int held, wanted;
    /** held &lt; wanted, or a shed is under way: read without the monitor after each accept4. */
    private volatile boolean shortOfSpares;

    FdReserve() {}

    /** A loop starts: one more spare wanted, taken now if an fd is free. */
    public synchronized void join(LoopSyscalls sys) {
        wanted++;
        if (fds.length < wanted) fds = java.util.Arrays.copyOf(fds, wanted * 2);
        refill(sys);
    }

    /** A loop ends: one spare less wanted; the pool closes what it holds beyond that. */
    public synchronized void leave(LoopSyscalls sys) {
        wanted--;
        while (held > wanted) sys.close(fds[--held]);
        shortOfSpares = held < wanted;
    }

    /** Takes back spares lost to another thread, if fds are free again; no syscall while none is missing. */
    public void retake(LoopSyscalls sys) {
        if (!shortOfSpares) return;
        synchronized (this) {
            refill(sys);
        }
    }

    /**
     * Out of fds: sheds what is queued on {@code listenFd} with the spares, at most
     * {@link #SHED_BUDGET} connections. Returns true when the queue was found empty (accept4 said
     * EAGAIN), false when connections may be left (the budget spent, every spare taken by another
     * thread, or another error): the caller tries again after its pause.
     */
    public synchronized boolean shed(LoopSyscalls sys, int listenFd) {
        refill(sys);
        int budget = SHED_BUDGET;
        for (int round = 0; held > 0 && round < wanted; round++) {  // each spare at most once per shed
            shortOfSpares = true;  // before the close: a thread whose accept4 takes the number sees it
            sys.close(fds[--held]);
            int err = 0;
            while (budget > 0) {
                int c = sys.accept(listenFd);  // non-blocking listener: EAGAIN (or any error) ends it
                if (c < 0) {
                    err = -c;
                    break;
                }
                sys.close(c);
                sys.counters.countShed();
                budget--;
            }
            refill(sys);
            // EMFILE at once after giving a spare up: another thread took its number first (it
            // repays); go on with the next spare. Anything else ends the shed.
            if (err != Errno.EMFILE && err != Errno.ENFILE) return err == Errno.EAGAIN;
        }
        return false;
    }

    /**
     * Called with each fd accept4 just returned. While the pool is short (a shed is under way or a
     * spare was lost), that fd may be the number a shed gave up: the spare is taken back, and if no
     * fd is free for it, {@code fd} is closed first (its client sees a clean close, counted as shed).
     * Returns {@code fd}, or -1 when it was closed.
     */
    public int repay(LoopSyscalls sys, int fd) {
        if (!shortOfSpares) return fd;
        synchronized (this) {
            refill(sys);
            if (held >= wanted) return fd;
            sys.close(fd);
            sys.counters.countShed();
            refill(sys);
            return -1;
        }
    }

    /** Holding the monitor: eventfd until every wanted spare is held or none can be had. */
    private void refill(LoopSyscalls sys) {
        while (held < wanted) {
            int fd = sys.eventfd(Net.EFD_CLOEXEC);
            if (fd < 0) break;
            fds[held++] = fd;
        }
        shortOfSpares = held < wanted;
    }
}
