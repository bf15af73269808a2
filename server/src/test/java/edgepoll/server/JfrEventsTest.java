package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JFR events: a real server process started with -XX:StartFlightRecording serves one connection of
 * three requests; the recording it dumps at exit, read with RecordingFile, holds its loop's
 * wake-ups (events returned, batch duration) and the connection's close (requests, bytes, reason).
 */
@Timeout(90)
class JfrEventsTest {

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt"})
    void aRecordedRunHoldsWakeupsAndTheClose(String mode, @TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("run.jfr");
        String req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        List<String> cmd = ServerProcess.command("--port", "0", "--mode", mode);
        cmd.add(1, "-XX:StartFlightRecording=filename=" + jfr + ",dumponexit=true,settings=default");
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr").toFile()).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String listening = out.readLine();  // blocks until a line or EOF; the test's timeout bounds it
            while (listening != null && !listening.startsWith("listening on")) listening = out.readLine();  // JFR's "Started recording" lines
            assertNotNull(listening, "server did not start");
            try (RawClient c = new RawClient(ServerProcess.port(listening))) {
                for (int i = 0; i < 3; i++) {
                    c.send(req);
                    assertEquals(200, c.readResponse(false).status());
                }
            }
            p.destroy();
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "server exits on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        List<RecordedEvent> wakeups = events.stream().filter(e -> e.getEventType().getName().equals("edgepoll.LoopWakeup")).toList();
        List<RecordedEvent> closes = events.stream().filter(e -> e.getEventType().getName().equals("edgepoll.ConnectionClose")).toList();
        System.out.println(mode + ": " + wakeups.size() + " wake-ups, closes: "
                + closes.stream().map(e -> e.getLong("requests") + " req " + e.getLong("bytesIn") + "/" + e.getLong("bytesOut") + " B " + e.getString("reason")).collect(Collectors.joining("; ")));
        assertTrue(wakeups.stream().anyMatch(e -> e.getInt("events") > 0 && !e.getDuration().isNegative()), "wake-ups with events");
        assertTrue(wakeups.size() >= 3, "a wake-up per request at least (three sequential requests): " + wakeups.size());
        assertEquals(1, closes.size(), "one connection, one close");
        RecordedEvent close = closes.get(0);
        assertEquals(3, close.getLong("requests"));
        assertEquals(3L * req.length(), close.getLong("bytesIn"));
        assertTrue(close.getLong("bytesOut") > 3 * 13, "three responses sent: " + close.getLong("bytesOut"));
        assertTrue(List.of("peer-eof", "linger-done", "server-stop").contains(close.getString("reason")), close.getString("reason"));
    }
}
