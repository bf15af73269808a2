package edgepoll.kernel;

import edgepoll.stats.Sys;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Errno;
import java.util.Arrays;

/**
 * {@code --trace FILE --trace-format perfetto}: one loop's syscalls as Chrome trace events (the
 * JSON that ui.perfetto.dev and chrome://tracing open). Tracks (threads of one process):
 * <ul>
 *   <li>the loop's own track (its kernel tid): every call not on a connection's fd (epoll_wait,
 *       accept4, the listener's and the epoll fd's calls), so the time blocked in epoll_wait shows
 *       as long spans;</li>
 *   <li>one track per traced connection (the first {@code --trace-connections} accepted): every
 *       call on its fd, from the epoll_ctl(ADD) after its accept4 to its close;</li>
 *   <li>flow arrows from each epoll_wait to the calls its events caused: for every fd it reported
 *       (and for the listener), an arrow to each call on that fd until the next epoll_wait.</li>
 * </ul>
 * Each slice is named as strace names the call ({@link Sys#straceName}) and carries fd, size
 * (bytes asked), result, and errno's name when it failed. Calls on connections beyond the quota are
 * left out, so with enough {@code --trace-connections} the slices per name equal the counters.
 *
 * <p>Owned by the loop thread: events are appended as JSON text (at most {@link #MAX_CHARS}
 * characters, then an instant event that says the trace was cut). Timestamps are microseconds
 * since {@link #BASE}, shared by every loop of the process.
 */
public final class PerfettoRecorder implements SyscallRecorder {
    static final int MAX_CHARS = 32 << 20;
    /** Pid of the one process in the trace. */
    static final int PID = 1;
    /** Time zero of every loop's trace in this JVM. */
    static final long BASE = System.nanoTime();

    private final int loop;
    private final int tid;
    private final StringBuilder out = new StringBuilder(1 << 16);
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
    private boolean truncated;

    public PerfettoRecorder(int loop, int tid, int connections) {
        this.loop = loop;
        this.tid = tid;
        this.toFollow = connections;
        Arrays.fill(flowFrom, -1);
        meta("thread_name", tid, "loop" + loop + " (tid " + tid + ")");
        meta("thread_sort_index", tid, Integer.toString(loop * 100_000));
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

    @Override
    public void call(Sys kind, int fd, long n, long rc, long t0, long t1) {
        int t = where(fd);
        if (t != 0) slice(kind.straceName, t, fd, n, rc, t0, t1, null);
        if (kind == Sys.CLOSE && fd >= 0 && fd < track.length && rc == 0) {  // the fd number is free for the next connection
            track[fd] = 0;
            flowFrom[fd] = -1;
        }
    }

    @Override
    public void accept(int listenFd, int flags, int rc, long t0, long t1) {
        if (rc >= 0) {
            grow(rc);
            if (toFollow > 0) {
                toFollow--;
                connections++;
                int conn = 1_000_000_000 + loop * 1_000_000 + connections;  // a synthetic tid: one track per connection
                track[rc] = conn;
                meta("thread_name", conn, "conn " + connections + " fd " + rc + " (loop" + loop + ")");
                meta("thread_sort_index", conn, Integer.toString(loop * 100_000 + connections));
            } else {
                track[rc] = -1;
            }
        }
        StringBuilder sb = slice(Sys.ACCEPT4.straceName, tid, listenFd, -1, rc, t0, t1, null);
        if (sb != null && listenerFlowFrom >= 0) flow(listenerFlowFrom, tid, t0);
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

    /** One complete ("X") event; then, on a connection's track, the arrow from the epoll_wait that reported its fd. */
    private StringBuilder slice(String name, int track, int fd, long n, long rc, long t0, long t1, String extra) {
        if (!room()) return null;
        StringBuilder sb = out;
        sb.append("{\"ph\":\"X\",\"name\":\"").append(name).append("\",\"cat\":\"syscall\",\"pid\":").append(PID)
          .append(",\"tid\":").append(track).append(",\"ts\":");
        micros(sb, t0 - BASE);
        sb.append(",\"dur\":");
        micros(sb, Math.max(0, t1 - t0));
        sb.append(",\"args\":{\"fd\":").append(fd);
        if (n >= 0) sb.append(",\"size\":").append(n);
        sb.append(",\"result\":").append(rc);
        if (rc < 0) sb.append(",\"errno\":\"").append(Errno.name((int) -rc)).append('"');
        if (extra != null) sb.append(',').append(extra);
        sb.append("}},\n");
        if (track != tid && fd >= 0 && fd < flowFrom.length && flowFrom[fd] >= 0) flow(flowFrom[fd], track, t0);
        return sb;
    }

    /** A flow arrow (v1 flow events): from inside the loop track's slice at {@code from} to the slice starting at {@code to}. */
    private void flow(long from, int toTrack, long to) {
        long id = ((long) loop << 40) | ++flowIds;
        out.append("{\"ph\":\"s\",\"name\":\"event\",\"cat\":\"flow\",\"id\":").append(id).append(",\"pid\":").append(PID)
           .append(",\"tid\":").append(tid).append(",\"ts\":");
        micros(out, from - BASE);
        out.append("},\n{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"event\",\"cat\":\"flow\",\"id\":").append(id).append(",\"pid\":").append(PID)
           .append(",\"tid\":").append(toTrack).append(",\"ts\":");
        micros(out, to - BASE);
        out.append("},\n");
    }

    private void meta(String name, int track, String value) {
        boolean number = name.endsWith("index");
        out.append("{\"ph\":\"M\",\"name\":\"").append(name).append("\",\"pid\":").append(PID).append(",\"tid\":").append(track)
           .append(",\"args\":{\"").append(number ? "sort_index" : "name").append("\":");
        if (number) out.append(value);
        else out.append('"').append(value).append('"');
        out.append("}},\n");
    }

    private boolean room() {
        if (out.length() < MAX_CHARS) return true;
        if (!truncated) {
            truncated = true;
            out.append("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"trace truncated at ").append(MAX_CHARS).append(" characters\",\"pid\":")
               .append(PID).append(",\"tid\":").append(tid).append(",\"ts\":");
            micros(out, System.nanoTime() - BASE);
            out.append("},\n");
        }
        return false;
    }

    /** Nanoseconds as microseconds with three decimals (the trace-event unit). */
    private static void micros(StringBuilder sb, long nanos) {
        if (nanos < 0) {
            sb.append('-');
            nanos = -nanos;
        }
        sb.append(nanos / 1000).append('.');
        long f = nanos % 1000;
        if (f < 100) sb.append('0');
        if (f < 10) sb.append('0');
        sb.append(f);
    }

    @Override
    public String output() {
        return out.toString();
    }
}
