package edgepoll.stats;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder events of the event loops, recorded whenever a recording runs
 * ({@code -XX:StartFlightRecording}, {@code jcmd PID JFR.start}, or a {@link jdk.jfr.Recording}):
 * one per loop wake-up and one per connection close. Each loop keeps one instance of each and
 * reuses it ({@code begin}, set fields, {@code end}, {@code commit}), and touches it only after
 * {@link Event#isEnabled()} said a recording wants it, so with no recording nothing is allocated
 * and nothing is written (docs/timelines.md).
 */
public final class JfrEvents {
    private JfrEvents() {}

    @Name("edgepoll.LoopWakeup")
    @Label("Loop wake-up")
    @Category({"edgepoll"})
    @Description("One event-loop batch: from the readiness wait's return to the end of the batch (dispatch, owed drains, timers, closes)")
    @StackTrace(false)
    public static final class LoopWakeup extends Event {
        @Label("Loop")
        public int loop;
        @Label("Events")
        @Description("Events the wait returned (epoll_wait's or poll's result)")
        public int events;
        @Label("Timeout (ms)")
        @Description("The wait's timeout: -1 blocks, 0 while drains are owed")
        public int timeoutMs;
    }

    @Name("edgepoll.ConnectionClose")
    @Label("Connection close")
    @Category({"edgepoll"})
    @Description("A connection's fd was closed by its loop")
    @StackTrace(false)
    public static final class ConnectionClose extends Event {
        @Label("Loop")
        public int loop;
        @Label("Fd")
        public int fd;
        @Label("Requests")
        public long requests;
        @Label("Bytes in")
        @DataAmount
        public long bytesIn;
        @Label("Bytes out")
        @DataAmount
        public long bytesOut;
        @Label("Reason")
        @Description("peer-eof, server-close (a Connection: close or error reply), linger-done, idle-timeout, header-timeout, server-stop, rejected or error")
        public String reason;
    }
}
