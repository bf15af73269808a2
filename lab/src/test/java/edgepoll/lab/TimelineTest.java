package edgepoll.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --trace-format perfetto}: the file is Chrome trace-event JSON with a loop track whose
 * epoll_wait slices show the blocked time, one track per connection, slices that carry fd, size,
 * result and errno, flow arrows that bind to slices, and exactly the calls the counters counted
 * (every connection is traced here, so per name the slices equal the counters).
 */
@Timeout(60)
class TimelineTest {

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(Path file) throws Exception {
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(file));
        return (List<Map<String, Object>>) root.get("traceEvents");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> args(Map<String, Object> e) {
        return (Map<String, Object>) e.get("args");
    }

    static int num(Object o) {
        return ((Double) o).intValue();
    }

    /** Each track's name, by its tid. */
    static Map<Integer, String> threadNames(List<Map<String, Object>> events) {
        Map<Integer, String> names = new HashMap<>();
        for (var e : events) {
            if ("M".equals(e.get("ph")) && "thread_name".equals(e.get("name"))) names.put(num(e.get("tid")), (String) args(e).get("name"));
        }
        return names;
    }

    /** Two connections of three requests each (the last one closing), every connection traced; the final stats. */
    private static Stats twoConnectionsTraced(String mode, Path trace) throws Exception {
        try (ServerHandle s = ServerHandle.start(mode, "--trace", trace.toString(), "--trace-format", "perfetto", "--trace-connections", "100")) {
            for (int k = 0; k < 2; k++) {
                // idle time between the connections, so the loop blocks in its wait (not waiting for anything)
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                try (RawClient c = new RawClient(s.port())) {
                    for (int r = 0; r < 2; r++) {
                        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                        assertEquals(200, c.readResponse(false).status());
                    }
                    c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                    assertTrue(c.closedByServer());
                }
            }
            return s.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt", "poll"})
    void perfettoTraceHoldsExactlyTheCountedCallsOnTheirTracks(String mode, @TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.json");
        Stats stats = twoConnectionsTraced(mode, trace);
        List<Map<String, Object>> events = events(trace);
        Map<Integer, String> threadNames = threadNames(events);
        int loopTid = stats.loops().get(0).tid();
        assertTrue(threadNames.get(loopTid).startsWith("loop0"), threadNames.toString());
        assertEquals(3, threadNames.size(), "the loop's track and one per connection: " + threadNames);

        Map<String, Integer> slices = new TreeMap<>();
        Set<String> sliceKeys = new HashSet<>();  // tid@ts: where flow ends may bind
        boolean longWait = false;
        for (var e : events) {
            if (!"X".equals(e.get("ph"))) continue;
            String name = (String) e.get("name");
            slices.merge(name, 1, Integer::sum);
            Map<String, Object> a = args(e);
            assertTrue(a.containsKey("fd") && a.containsKey("result"), e.toString());
            int tid = num(e.get("tid"));
            assertTrue(threadNames.containsKey(tid), "a slice on a named track: " + e);
            boolean onConnection = tid != loopTid;
            if (name.equals("read") || name.equals("sendto")) {
                // poll mode's read of the wake eventfd (8 bytes) is the loop's own
                assertTrue(onConnection || num(a.get("size")) == 8, "connection calls on the connection's track: " + e);
                assertTrue(a.containsKey("size"), e.toString());
            }
            if (name.equals("epoll_wait") || name.equals("accept4") || name.equals("poll")) assertFalse(onConnection, e.toString());
            if (num(a.get("result")) < 0) assertTrue(a.get("errno") instanceof String, "a failed call names its errno: " + e);
            if ((name.equals("epoll_wait") || name.equals("poll")) && (Double) e.get("dur") > 20_000) longWait = true;  // blocked > 20 ms
            sliceKeys.add(tid + "@" + e.get("ts"));
        }
        assertTrue(longWait, "the loop's blocked time shows as long wait slices");

        SyscallCounters total = stats.total();
        Map<String, Integer> counted = new TreeMap<>();
        for (Sys sys : Sys.ALL) {
            if (total.calls(sys) > 0) counted.put(sys.straceName, (int) total.calls(sys));
        }
        assertEquals(counted, slices, "slices per call name equal the counters (every connection traced)");

        int flowStarts = 0, flowEnds = 0;
        for (var e : events) {
            if ("s".equals(e.get("ph"))) {
                flowStarts++;
                assertEquals(loopTid, num(e.get("tid")), "arrows start on the loop's track");
            } else if ("f".equals(e.get("ph"))) {
                flowEnds++;
                assertTrue(sliceKeys.contains(num(e.get("tid")) + "@" + e.get("ts")), "an arrow ends where a slice starts: " + e);
            }
        }
        assertEquals(flowStarts, flowEnds);
        if (!mode.equals("poll")) assertTrue(flowStarts >= 2 * 3 * 2, "an arrow from a wake-up to each read and send of the six requests: " + flowStarts);
    }

    /**
     * Each figure docs/timelines.md shows is what TimelineSvg draws from the traces committed next to
     * it (the panels' titles read back from the figure, each naming its trace: "--mode et: ..." is
     * FIGURE-et.json), byte for byte: a change to the drawing shows up here, and the committed figures
     * stay the output of the command the page names.
     */
    @ParameterizedTest
    @ValueSource(strings = {"two-requests", "et-stall", "link-1mib"})
    void aCommittedFigureIsWhatTimelineSvgDrawsFromItsTraces(String figure, @TempDir Path dir) throws Exception {
        Path docs = Path.of(System.getProperty("edgepoll.root", "..")).resolve("docs/timelines");
        String committed = Files.readString(docs.resolve(figure + ".svg"));
        List<String> args = new ArrayList<>(List.of(dir.resolve(figure + ".svg").toString()));
        Matcher m = Pattern.compile("font-weight=\"bold\">([^<]*)</text>").matcher(committed);
        while (m.find()) {
            String title = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
            String variant = title.split(" ")[1].replace(":", "");
            args.add(title + "=" + docs.resolve(figure + "-" + variant + ".json"));
        }
        assertTrue(args.size() >= 3, "two panels or more in " + figure + ".svg: " + args);
        TimelineSvg.main(args.toArray(String[]::new));
        assertEquals(committed, Files.readString(dir.resolve(figure + ".svg")), figure + ".svg is not what TimelineSvg draws from its traces");
    }

    /**
     * --mode uring: the loop's track holds its syscalls (every io_uring_enter, blocked ones long)
     * and its own requests' CQEs; each connection's track its CQEs ({@code cqe recv}, {@code cqe
     * send}, ... {@code cqe close}); an arrow from the enter that submitted a request to each of
     * its CQEs. Every connection traced: syscall slices per name equal the counters, and every
     * send and accept CQE counted is a slice.
     */
    @org.junit.jupiter.api.Test
    void uringTimelineHasCqeSlicesAndSubmissionArrows(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("uring.json");
        Stats stats = twoConnectionsTraced("uring", trace);
        List<Map<String, Object>> events = events(trace);
        Map<Integer, String> threadNames = threadNames(events);
        int loopTid = stats.loops().get(0).tid();
        assertTrue(threadNames.get(loopTid).startsWith("loop0"), threadNames.toString());
        assertEquals(3, threadNames.size(), "the loop's track and one per connection: " + threadNames);

        Map<String, Integer> syscalls = new TreeMap<>(), cqes = new TreeMap<>();
        Set<String> cqeStarts = new HashSet<>();
        List<double[]> enters = new java.util.ArrayList<>();
        boolean longEnter = false;
        for (var e : events) {
            if (!"X".equals(e.get("ph"))) continue;
            String name = (String) e.get("name");
            int tid = num(e.get("tid"));
            assertTrue(threadNames.containsKey(tid), "a slice on a named track: " + e);
            if ("cqe".equals(e.get("cat"))) {
                cqes.merge(name, 1, Integer::sum);
                boolean own = num(args(e).get("slot")) == -1;  // the accept, the wake-up poll, the cancel of the accept at stop
                assertEquals(own, tid == loopTid, "the loop's own requests' CQEs on its track, the connections' on theirs: " + e);
                cqeStarts.add(tid + "@" + e.get("ts"));
            } else {
                syscalls.merge(name, 1, Integer::sum);
                assertEquals(loopTid, tid, "every syscall of the uring loop is the loop's: " + e);
                if (name.equals("io_uring_enter")) {
                    enters.add(new double[] {(Double) e.get("ts"), (Double) e.get("ts") + (Double) e.get("dur")});
                    if ((Double) e.get("dur") > 20_000) longEnter = true;
                }
            }
        }
        assertTrue(longEnter, "the loop's blocked time shows as long io_uring_enter slices");
        SyscallCounters total = stats.total();
        Map<String, Integer> counted = new TreeMap<>();
        for (Sys sys : Sys.ALL) {
            if (total.calls(sys) > 0) counted.put(sys.straceName, (int) total.calls(sys));
        }
        assertEquals(counted, syscalls, "syscall slices per name equal the counters");
        assertEquals(total.cqes(edgepoll.stats.UringOp.SEND), (long) cqes.getOrDefault("cqe send", 0), "every send CQE a slice: " + cqes);
        assertEquals(total.cqes(edgepoll.stats.UringOp.ACCEPT), (long) cqes.getOrDefault("cqe accept", 0), cqes.toString());
        assertTrue(cqes.getOrDefault("cqe recv", 0) >= 6 && cqes.getOrDefault("cqe close", 0) == 2, cqes.toString());

        Set<String> arrowEnds = new HashSet<>();
        int starts = 0;
        for (var e : events) {
            if (!"submission".equals(e.get("name"))) continue;
            double ts = (Double) e.get("ts");
            if ("s".equals(e.get("ph"))) {
                starts++;
                assertEquals(loopTid, num(e.get("tid")), "arrows start on the loop's track");
                assertTrue(enters.stream().anyMatch(x -> x[0] <= ts && ts <= x[1]), "an arrow starts inside an io_uring_enter: " + e);
            } else {
                String key = num(e.get("tid")) + "@" + e.get("ts");
                assertTrue(cqeStarts.contains(key), "an arrow ends where a CQE's slice starts: " + e);
                arrowEnds.add(key);
            }
        }
        assertEquals(starts, arrowEnds.size(), "one arrow per CQE at most");
        for (var e : events) {
            if ("X".equals(e.get("ph")) && "cqe send".equals(e.get("name"))) {
                assertTrue(arrowEnds.contains(num(e.get("tid")) + "@" + e.get("ts")), "each send's CQE has the arrow from its submission: " + e);
            }
        }
    }
}
