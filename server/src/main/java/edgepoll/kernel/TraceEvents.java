package edgepoll.kernel;

import edgepoll.sys.Errno;

/**
 * The Chrome trace-event JSON of one {@link PerfettoRecorder}: complete ("X") slices, v1 flow
 * arrows, track names, appended as text, at most {@link #MAX_CHARS} characters, then an instant
 * event that says the trace was cut. Timestamps are microseconds since {@link #BASE}, shared by
 * every recorder of the process. Owned by the recorder's thread (or under its lock).
 */
final class TraceEvents {
    static final int MAX_CHARS = 32 << 20;
    /** Pid of the one process in the trace. */
    static final int PID = 1;
    /** Time zero of every recorder's trace in this JVM. */
    static final long BASE = System.nanoTime();

    private final StringBuilder out = new StringBuilder(1 << 16);
    /** The track the truncation mark goes to. */
    private final int ownTrack;
    private boolean truncated;

    TraceEvents(int ownTrack) {
        this.ownTrack = ownTrack;
    }

    /**
     * One complete event named {@code name} on {@code track} from {@code t0} to {@code t1} with args
     * fd, size ({@code n >= 0}), result, errno's name when {@code rc < 0}, and {@code extra} (JSON
     * members, or null). False when the trace is full and nothing was written.
     */
    boolean slice(String name, String cat, int track, int fd, long n, long rc, long t0, long t1, String extra) {
        if (!room()) return false;
        StringBuilder sb = out;
        sb.append("{\"ph\":\"X\",\"name\":\"").append(name).append("\",\"cat\":\"").append(cat).append("\",\"pid\":").append(PID)
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
        return true;
    }

    /** A flow arrow (v1 flow events) named {@code name}: from inside the slice at {@code from} on one track to the slice starting at {@code to} on another. */
    void flow(String name, long id, int fromTrack, long from, int toTrack, long to) {
        out.append("{\"ph\":\"s\",\"name\":\"").append(name).append("\",\"cat\":\"flow\",\"id\":").append(id).append(",\"pid\":").append(PID)
           .append(",\"tid\":").append(fromTrack).append(",\"ts\":");
        micros(out, from - BASE);
        out.append("},\n{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"").append(name).append("\",\"cat\":\"flow\",\"id\":").append(id).append(",\"pid\":").append(PID)
           .append(",\"tid\":").append(toTrack).append(",\"ts\":");
        micros(out, to - BASE);
        out.append("},\n");
    }

    /** A track's name and its place among the tracks. */
    void name(int track, String name, int sortIndex) {
        out.append("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":").append(PID).append(",\"tid\":").append(track)
           .append(",\"args\":{\"name\":\"").append(name).append("\"}},\n");
        out.append("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":").append(PID).append(",\"tid\":").append(track)
           .append(",\"args\":{\"sort_index\":").append(sortIndex).append("}},\n");
    }

    private boolean room() {
        if (out.length() < MAX_CHARS) return true;
        if (!truncated) {
            truncated = true;
            out.append("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"trace truncated at ").append(MAX_CHARS).append(" characters\",\"pid\":")
               .append(PID).append(",\"tid\":").append(ownTrack).append(",\"ts\":");
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

    /** The events so far, each followed by a comma and a newline. */
    String text() {
        return out.toString();
    }
}
