package edgepoll.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.config.Options;
// In the lab module beside TimelineTest, whose trace-reading helpers it shares (the lab module holds the JSON reader).
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;
import edgepoll.stats.SyscallLatency;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What one mode records, every mode records: each --mode (Options.MODES, so a new mode is tested
 * at once) and et with each --shared-epoll, under --trace (text), --trace --trace-format perfetto
 * and --syscall-latency, either writes a record that holds the connections' calls, or refuses the
 * flag at parse time with one line on stderr and exit 2. Which it is, per mode, is what
 * docs/observability.md states ("What each mode records"): only --trace under --shared-epoll is
 * refused.
 */
@Timeout(60)
class RecordingPerModeTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> cases() {
        List<String[]> modes = new ArrayList<>();
        for (String m : Options.MODES) modes.add(new String[] {m});
        for (String x : Options.SHARED_EPOLL) {
            if (!x.equals("off")) modes.add(new String[] {"et", "--shared-epoll", x, "--loops", "2"});
        }
        List<Arguments> all = new ArrayList<>();
        for (String[] m : modes) {
            for (String what : List.of("text", "perfetto", "latency")) all.add(Arguments.of(String.join(" ", m), what));
        }
        return all.stream();
    }

    /** Refused: only --trace (either format) with --shared-epoll. */
    static boolean refused(String mode, String what) {
        return mode.contains("--shared-epoll") && !what.equals("latency");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void eachModeRecordsEachFlagOrRefusesItInOneLine(String mode, String what) throws Exception {
        Path trace = tmp.resolve("trace");
        List<String> flags = switch (what) {
            case "text" -> List.of("--trace", trace.toString());
            case "perfetto" -> List.of("--trace", trace.toString(), "--trace-format", "perfetto");
            default -> List.of("--syscall-latency");
        };
        String[] words = mode.split(" ");
        List<String> rest = new ArrayList<>(List.of(words).subList(1, words.length));
        rest.addAll(flags);
        if (refused(mode, what)) {
            List<String> args = new ArrayList<>(List.of("--port", "0", "--mode"));
            args.addAll(List.of(words));
            args.addAll(flags);
            assertRefused(args);
            return;
        }
        Stats st;
        try (ServerHandle s = ServerHandle.start(words[0], rest.toArray(String[]::new))) {
            for (int k = 0; k < 3; k++) {
                try (RawClient c = new RawClient(s.port())) {
                    c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                    assertTrue(c.closedByServer());
                }
            }
            st = s.stop();
        }
        switch (what) {
            case "text" -> assertTextTrace(Files.readString(trace), words[0]);
            case "perfetto" -> assertTimeline(trace, words[0]);
            default -> assertLatency(st);
        }
    }

    /**
     * A thread per connection: a connection's close is recorded by its thread, the next accept4 by
     * the acceptor, and the kernel hands the freed fd number straight to the next connection. Many
     * short connections one after the other: each connection's track still holds its own calls,
     * ending in exactly one close, and none lands on another's track or the acceptor's.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"threads", "virtual-threads"})
    void aReusedFdNumberStartsANewTrackAfterTheOldConnectionsClose(String mode) throws Exception {
        Path trace = tmp.resolve("trace.json");
        int connections = 40;
        try (ServerHandle s = ServerHandle.start(mode, "--trace", trace.toString(), "--trace-format", "perfetto",
                "--trace-connections", Integer.toString(connections))) {
            for (int k = 0; k < connections; k++) {
                try (RawClient c = new RawClient(s.port())) {
                    c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                    assertTrue(c.closedByServer());
                }
            }
            s.stop();
        }
        assertTimeline(trace, mode);
        List<Map<String, Object>> events = TimelineTest.events(trace);
        Map<Integer, String> names = TimelineTest.threadNames(events);
        Map<Integer, Integer> closes = new HashMap<>();
        for (var e : events) {
            if (!"X".equals(e.get("ph"))) continue;
            int tid = TimelineTest.num(e.get("tid"));
            String name = (String) e.get("name");
            if (!names.get(tid).startsWith("conn ")) {
                assertFalse(name.equals("read") || name.equals("sendto"), "a connection's call off its track: " + e);
            } else if (name.equals("close")) {
                closes.merge(tid, 1, Integer::sum);
            }
        }
        assertEquals(connections, closes.size(), "every connection's track ends in its close: " + closes);
        assertTrue(closes.values().stream().allMatch(n -> n == 1), "one close per track: " + closes);
    }

    private void assertRefused(List<String> args) throws Exception {
        Path out = tmp.resolve("stderr");
        Process p = new ProcessBuilder(ServerProcess.command(args.toArray(String[]::new))).redirectError(out.toFile()).start();
        boolean ended = p.waitFor(20, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        String err = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(ended, "refused at parse time, not served: " + err);
        assertEquals(2, p.exitValue(), err);
        String first = err.lines().findFirst().orElse("");
        assertTrue(first.startsWith("edgepoll: --trace is not recorded with --shared-epoll"), err);
        assertTrue(err.startsWith(first + "\nusage:"), "one line, then the usage: " + err);
    }

    /** The connections' reads and sends (io_uring: their CQEs) are in the text. */
    private static void assertTextTrace(String text, String mode) {
        assertTrue(text.startsWith("# edgepoll trace: mode=" + mode), text);
        String read = mode.equals("uring") ? "cqe recv(" : "read(";
        String send = mode.equals("uring") ? "cqe send(" : "sendto(";
        assertTrue(text.contains(read) && text.contains(send), "the connections' calls are recorded:\n" + text);
        assertTrue(text.lines().anyMatch(l -> l.contains(" close(") || l.contains("cqe close(")), text);
    }

    /**
     * A timeline with every slice on a named track, the connections' reads and sends on their own
     * tracks, and on every track slices that nest (none overlaps another partly: a thread does one
     * thing at a time).
     */
    private static void assertTimeline(Path file, String mode) throws Exception {
        List<Map<String, Object>> events = TimelineTest.events(file);
        Map<Integer, String> names = TimelineTest.threadNames(events);
        Map<Integer, List<double[]>> byTrack = new HashMap<>();
        int connectionReads = 0, connectionSends = 0;
        for (var e : events) {
            if (!"X".equals(e.get("ph"))) continue;
            int tid = TimelineTest.num(e.get("tid"));
            String track = names.get(tid);
            assertNotNull(track, "a slice on a named track: " + e);
            String name = (String) e.get("name");
            if (track.startsWith("conn ")) {
                if (name.equals("read") || name.equals("cqe recv")) connectionReads++;
                if (name.equals("sendto") || name.equals("cqe send")) connectionSends++;
            }
            byTrack.computeIfAbsent(tid, k -> new ArrayList<>()).add(new double[] {(Double) e.get("ts"), (Double) e.get("dur")});
        }
        assertTrue(connectionReads >= 3 && connectionSends >= 3, mode + ": each connection's reads and sends on its track: " + names);
        for (var t : byTrack.entrySet()) {
            List<double[]> s = t.getValue();
            s.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(b[1], a[1]));
            Deque<Double> open = new ArrayDeque<>();  // ends of the enclosing slices
            for (double[] x : s) {
                while (!open.isEmpty() && open.peek() <= x[0]) open.pop();
                assertTrue(open.isEmpty() || x[0] + x[1] <= open.peek() + 0.001,
                        mode + ": slices on " + names.get(t.getKey()) + " nest (one thread, one call at a time): " + x[0]);
                open.push(x[0] + x[1]);
            }
        }
    }

    /** Every counted call timed once, in the exit table and the JSON. */
    private static void assertLatency(Stats st) {
        SyscallCounters t = st.total();
        SyscallLatency lat = t.latency();
        assertNotNull(lat, "histograms recorded");
        for (Sys s : Sys.ALL) {
            long timed = 0;
            for (int o = 0; o < SyscallLatency.OUTCOMES.length; o++) {
                Histogram h = lat.histogram(s, o);
                timed += h == null ? 0 : h.getTotalCount();
            }
            assertEquals(t.calls(s), timed, s + ": every call timed once");
        }
        assertFalse(st.table().lines().noneMatch(l -> l.contains("syscall latency")), st.table());
        assertTrue(st.toJson().contains("\"syscall_latency_ns\": {"), st.toJson());
    }
}
