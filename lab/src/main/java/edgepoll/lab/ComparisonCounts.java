package edgepoll.lab;

import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import java.util.Map;

/**
 * What one row of {@code scripts/syscalls-et-vs-lt} needs from a run, taken either from an
 * in-process server's counters or from a server process's {@code --stats-json} (its "total"), so a
 * loopback row and a link row are computed the same way.
 *
 * @param requests   requests (or echo messages) the client sent
 * @param calls      every syscall the loops made
 * @param waits      epoll_wait calls
 * @param events     events they returned
 * @param reads      read calls; {@code readEagain} of them found nothing, {@code shortReads} moved fewer bytes than asked
 * @param eagain     EAGAIN results of every syscall
 * @param ctl        epoll_ctl calls (ADD, MOD, DEL)
 * @param sends      sendto calls; {@code sendEagain} of them found the buffer full, {@code partialSends} moved fewer bytes than offered
 * @param bytesOut   bytes sent
 * @param writable   events that carried EPOLLOUT while replies waited (a blocked send resumed)
 */
record ComparisonCounts(long requests, long calls, long waits, long events, long reads, long readEagain, long shortReads,
                        long eagain, long ctl, long sends, long sendEagain, long partialSends, long bytesOut, long writable) {

    static ComparisonCounts of(long requests, SyscallCounters c) {
        long eagain = 0;
        for (Sys s : Sys.ALL) eagain += c.eagain(s);
        return new ComparisonCounts(requests, c.totalCalls(), c.calls(Sys.EPOLL_WAIT), c.events(), c.calls(Sys.READ),
                c.eagain(Sys.READ), c.shortCalls(Sys.READ), eagain,
                c.calls(Sys.EPOLL_CTL_ADD) + c.calls(Sys.EPOLL_CTL_MOD) + c.calls(Sys.EPOLL_CTL_DEL),
                c.calls(Sys.SEND), c.eagain(Sys.SEND), c.shortCalls(Sys.SEND), c.bytesOut(), c.writableEvents());
    }

    /** From a stats JSON text ({@code --stats-json}): its "total" counters. */
    @SuppressWarnings("unchecked")
    static ComparisonCounts ofJson(long requests, String json) {
        Map<String, Object> total = (Map<String, Object>) ((Map<String, Object>) Json.parse(json)).get("total");
        Map<String, Object> sys = (Map<String, Object>) total.get("syscalls");
        Map<String, Object> wait = (Map<String, Object>) total.get("epoll_wait");
        long calls = 0, eagain = 0;
        for (Object v : sys.values()) {
            calls += num(v, "calls");
            eagain += num(v, "eagain");
        }
        return new ComparisonCounts(requests, calls, num(sys.get("epoll_wait"), "calls"), num(wait, "events"),
                num(sys.get("read"), "calls"), num(sys.get("read"), "eagain"), num(sys.get("read"), "short"), eagain,
                num(sys.get("epoll_ctl(ADD)"), "calls") + num(sys.get("epoll_ctl(MOD)"), "calls") + num(sys.get("epoll_ctl(DEL)"), "calls"),
                num(sys.get("sendto"), "calls"), num(sys.get("sendto"), "eagain"), num(sys.get("sendto"), "short"),
                num(total, "bytes_out"), num(wait, "writable_events"));
    }

    @SuppressWarnings("unchecked")
    private static long num(Object map, String key) {
        return ((Number) ((Map<String, Object>) map).get(key)).longValue();
    }

    double perRequest(long n) {
        return (double) n / requests;
    }

    double eventsPerWakeup() {
        return waits == 0 ? 0 : (double) events / waits;
    }

    double bytesPerWrite() {
        long writes = sends - sendEagain;
        return writes == 0 ? 0 : (double) bytesOut / writes;
    }
}
