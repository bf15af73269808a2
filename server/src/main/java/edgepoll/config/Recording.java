package edgepoll.config;

/**
 * What {@code --trace} (text or {@code --trace-format perfetto}) and {@code --syscall-latency}
 * record in each mode, and the one combination refused (docs/observability.md, "What each mode
 * records"). Every thread that serves connections goes through the loop's syscall door, so:
 * <ul>
 *   <li>et, lt, poll, busy-poll, uring, blocking, threads, virtual-threads: all three, the text
 *       trace, the timeline and the latency histograms;</li>
 *   <li>et with {@code --shared-epoll}: the latency histograms; {@code --trace} is refused, since
 *       any thread may serve any connection while a thread's record follows only the connections
 *       it accepted itself, so a trace would leave calls out without saying so.</li>
 * </ul>
 */
final class Recording {
    private Recording() {}

    /** Throws the one line Main prints when {@code --trace} cannot be recorded in this mode. */
    static void check(SharedEpollMode sharedEpoll, String trace) {
        if (trace != null && sharedEpoll != SharedEpollMode.OFF) {
            throw new IllegalArgumentException("--trace is not recorded with --shared-epoll (any thread serves any connection, "
                    + "and a thread's record follows only those it accepted); drop --trace, or --shared-epoll");
        }
    }
}
