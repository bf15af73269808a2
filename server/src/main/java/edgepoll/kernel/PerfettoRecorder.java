package edgepoll.kernel;

import edgepoll.stats.Sys;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code --trace FILE --trace-format perfetto}: one loop's syscalls as Chrome trace events (the
 * JSON that ui.perfetto.dev and chrome://tracing open; written by {@link TraceEvents}). Tracks
 * (threads of one process):
 * <ul>
 *   <li>the loop's own track (its kernel tid): every call not on a connection's fd (epoll_wait,
 *       io_uring_enter, accept4, the listener's, the ring's and the epoll fd's calls), so the time
 *       blocked in epoll_wait or io_uring_enter shows as long spans; under io_uring also the
 *       completions of the loop's own requests (the multishot accept, the wake-up poll);</li>
 *   <li>one track per traced connection (the first {@code --trace-connections} accepted): every
 *       call on its fd, from the epoll_ctl(ADD) after its accept4 to its close; under io_uring
 *       every completion (CQE) of a request on it, {@code cqe recv}, {@code cqe send}, ... to
 *       {@code cqe close};</li>
 *   <li>flow arrows from each epoll_wait to the calls its events caused: for every fd it reported
 *       (and for the listener), an arrow to each call on that fd until the next epoll_wait; under
 *       io_uring, from the io_uring_enter that submitted a request to each of its CQEs.</li>
 * </ul>
 * Each syscall slice is named as strace names the call ({@link Sys#straceName}) and carries fd, size
 * (bytes asked), result, and errno's name when it failed. Calls on connections beyond the quota are
 * left out, so with enough {@code --trace-connections} the slices per name equal the counters (and
 * the {@code cqe} slices per op the CQE counters).
 *
 * <p>Owned by the loop thread; a blocking model's threads share one under a lock
 * ({@link SharedRecorder}).
 */
public final class PerfettoRecorder implements SyscallRecorder {
    private final int loop;
    private final int tid;
    private final TraceEvents out;
    /** Per fd: the track of the connection on it (0: none), and -1 for connections left untraced. */
    private int[] track = new int[1024];
    /** Per fd: the epoll_wait whose event names it (its flow origin, a timestamp in ns), or -1. */
    private long[] flowFrom = new long[1024];
    private int[] reported = new int[64];
    private int reportedCount;
    private long listenerFlowFrom = -1;
    private int toFollow;
    private int connections;
    private long flowIds;
    /** io_uring: user_data of the traced SQEs queued since the last enter. */
    private long[] queued = new long[64];
    private int queuedCount;
    /** io_uring: per user_data, when each of its SQEs still in flight was submitted (oldest first). */
    private final Map<Long, ArrayDeque<Long>> submitted = new HashMap<>();

    public PerfettoRecorder(int loop, int tid, int connections) {
        this(loop, tid, "loop" + loop, connections);
    }

    /** {@code name}: the loop track's name (its tid is added). */
    public PerfettoRecorder(int loop, int tid, String name, int connections) {
        this.loop = loop;
        this.tid = tid;
        this.toFollow = connections;
        this.out = new TraceEvents(tid);
        Arrays.fill(flowFrom, -1);
        out.name(tid, name + " (tid " + tid + ")", loop * 100_000);
    }

    private int trackOf(int fd) {
        return fd >= 0 && fd < track.length ? track[fd] : 0;
    }

    private void grow(int fd) {
        if (fd < track.length) return;
        int n = Math.max(fd + 1, track.length * 2);
        track = Arrays.copyOf(track, n);
        int old = flowFrom.length;
        flowFrom = Arrays.copyOf(flowFrom, n);
        Arrays.fill(flowFrom, old, n, -1);
    }

    /** The track a call on {@code fd} goes to: its connection's, the loop's, or 0 (not traced). */
    private int where(int fd) {
        int t = trackOf(fd);
        return t == 0 ? tid : t < 0 ? 0 : t;
    }

    /** A newly accepted connection on {@code fd}: gets a track of its own while the quota lasts, else is left out. */
    public void follow(int fd) {
        if (fd < 0) return;
        grow(fd);
        if (toFollow > 0) {
            toFollow--;
            connections++;
            int conn = 1_000_000_000 + loop * 1_000_000 + connections;  // a synthetic tid: one track per connection
            track[fd] = conn;
            out.name(conn, "conn " + connections + " fd " + fd + " (loop" + loop + ")", loop * 100_000 + connections);
        } else {
            track[fd] = -1;
        }
    }

    /** Whether the connection on {@code fd} has a track. */
    public boolean traces(int fd) {
        return trackOf(fd) > 0;
    }

    /** The connection on {@code fd} is gone (its close completed): the fd number is free for the next one. */
    public void release(int fd) {
        if (fd >= 0 && fd < track.length) {
            track[fd] = 0;
            flowFrom[fd] = -1;
        }
    }

    @Override
    public void call(Sys kind, int fd, long n, long rc, long t0, long t1) {
        int t = where(fd);
        if (t != 0) slice(kind.straceName, t, fd, n, rc, t0, t1, null);
        if (kind == Sys.CLOSE && rc == 0) release(fd);
    }

    @Override
    public void accept(int listenFd, int flags, int rc, long t0, long t1) {
        follow(rc);
        if (slice(Sys.ACCEPT4.straceName, tid, listenFd, -1, rc, t0, t1, null) && listenerFlowFrom >= 0) {
            out.flow("event", ++flowIds | (long) loop << 40, tid, listenerFlowFrom, tid, t0);
        }
    }

    @Override
    public void epollCtl(int epfd, int op, int fd, int events, int rc, long t0, long t1) {
        int t = where(fd);
        if (t == 0) return;
        Sys kind = op == Epoll.EPOLL_CTL_ADD ? Sys.EPOLL_CTL_ADD : op == Epoll.EPOLL_CTL_MOD ? Sys.EPOLL_CTL_MOD : Sys.EPOLL_CTL_DEL;
        slice(kind.straceName, t, fd, -1, rc, t0, t1, op == Epoll.EPOLL_CTL_DEL ? null : "\"events\":\"" + Epoll.describe(events) + "\"");
    }

    @Override
    public void epollWait(int epfd, EpollEvents events, int max, int timeoutMs, int rc, long t0, long t1) {
        for (int i = 0; i < reportedCount; i++) flowFrom[reported[i]] = -1;
        reportedCount = 0;
        listenerFlowFrom = -1;
        StringBuilder detail = new StringBuilder("\"timeout\":").append(timeoutMs).append(",\"max\":").append(max).append(",\"reported\":\"");
        long mid = t1 - Math.min(500, (t1 - t0) / 2);  // the arrows start inside the wait's slice, at its end
        int untraced = 0;
        for (int i = 0; i < rc; i++) {
            long token = events.u64(i);
            int fd = Token.fd(token);
            int t = trackOf(fd);
            if (t < 0) {
                untraced++;
                continue;
            }
            if (i - untraced > 0) detail.append("; ");
            String what = fd == -2 ? "listener" : fd == -1 ? "wake" : "fd " + fd;
            detail.append(what).append(' ').append(Epoll.describe(events.events(i)));
            if (fd == -2) {
                listenerFlowFrom = mid;
            } else if (t > 0) {
                flowFrom[fd] = mid;
                if (reportedCount == reported.length) reported = Arrays.copyOf(reported, reportedCount * 2);
                reported[reportedCount++] = fd;
            }
        }
        if (untraced > 0) detail.append(rc - untraced > 0 ? "; " : "").append(untraced).append(" untraced");
        detail.append('"');
        slice(Sys.EPOLL_WAIT.straceName, tid, epfd, -1, rc, t0, t1, detail.toString());
    }

    @Override
    public void shutdown(int fd, int how, int rc, long t0, long t1) {
        int t = where(fd);
        if (t != 0) slice(Sys.SHUTDOWN.straceName, t, fd, -1, rc, t0, t1, "\"how\":" + how);
    }

    @Override
    public void setsockopt(int fd, int level, int name, long value, int rc, long t0, long t1) {
        int t = where(fd);
        if (t != 0) slice(Sys.SETSOCKOPT.straceName, t, fd, -1, rc, t0, t1, "\"level\":" + level + ",\"name\":" + name + ",\"value\":" + value);
    }

    /**
     * The SQEs are submitted as the enter begins, so their arrows start just inside its slice; SQEs
     * queued while the kernel's thread polls the ring (--sqpoll) are taken without an enter, and
     * theirs start at the next enter the loop makes.
     */
    @Override
    public void uringEnter(int ringFd, int toSubmit, int minComplete, int flags, long timeoutNanos, int rc, long t0, long t1) {
        slice(Sys.IO_URING_ENTER.straceName, tid, ringFd, -1, rc, t0, t1, "\"to_submit\":" + toSubmit + ",\"min_complete\":" + minComplete
                + ",\"flags\":" + flags + ",\"timeout_us\":" + (timeoutNanos < 0 ? -1 : timeoutNanos / 1000));
        if (rc < 0 && rc != -edgepoll.sys.Errno.ETIME && rc != -edgepoll.sys.Errno.EINTR) return;  // nothing submitted: they wait for the next
        long at = t0 + Math.min(500, (t1 - t0) / 2);
        for (int i = 0; i < queuedCount; i++) submitted.computeIfAbsent(queued[i], k -> new ArrayDeque<>()).addLast(at);
        queuedCount = 0;
    }

    /** io_uring: an SQE with {@code userData} was queued for the loop itself or a traced connection; its CQEs get an arrow from the enter that submits it. */
    public void queued(long userData) {
        if (queuedCount == queued.length) queued = Arrays.copyOf(queued, queuedCount * 2);
        queued[queuedCount++] = userData;
    }

    /**
     * io_uring: one CQE, a slice named {@code name} from {@code t0} (reaped) to {@code t1} (handled)
     * on the loop's track ({@code own}: the loop's own request) or the connection's on {@code fd}
     * (when traced), with an arrow from the enter that submitted its request; {@code more}: the
     * request stays in flight (F_MORE).
     */
    public void completion(String name, boolean own, int fd, long userData, int res, boolean more, String extra, long t0, long t1) {
        ArrayDeque<Long> from = submitted.get(userData);
        Long at = from == null ? null : more ? from.peekFirst() : from.pollFirst();
        if (from != null && from.isEmpty()) submitted.remove(userData);
        int t = own ? tid : trackOf(fd);
        if (t <= 0) return;
        if (out.slice(name, "cqe", t, fd, -1, res, t0, t1, extra) && at != null) {
            out.flow("submission", ++flowIds | (long) loop << 40, tid, at, t, t0);
        }
    }

    /** One syscall slice; then, on a connection's track, the arrow from the epoll_wait that reported its fd. */
    private boolean slice(String name, int track, int fd, long n, long rc, long t0, long t1, String extra) {
        if (!out.slice(name, "syscall", track, fd, n, rc, t0, t1, extra)) return false;
        if (track != tid && fd >= 0 && fd < flowFrom.length && flowFrom[fd] >= 0) {
            out.flow("event", ++flowIds | (long) loop << 40, tid, flowFrom[fd], track, t0);
        }
        return true;
    }

    @Override
    public String output() {
        return out.text();
    }
}
