package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.server.testkit.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The surfaces of the counters: live JSON, the interval line, the trace. */
class ObservabilityTest {
    @TempDir
    Path tmp;

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void liveStatsEndpointAnswersJsonAndIsNotCountedAsARequest(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant); RawClient c = new RawClient(s.port())) {
            for (int i = 0; i < 5; i++) {
                c.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, c.readResponse(false).status());
            }
            c.send("GET /_edgepoll/stats HTTP/1.1\r\n\r\n");
            RawClient.Response r = c.readResponse(false);
            assertEquals("application/json", r.header("Content-Type"));
            String json = r.bodyText();
            assertTrue(json.startsWith("{") && json.endsWith("}\n"), json);
            assertEquals(5, number(json, "requests"), "the five hello requests, as of the last completed batch");
            assertEquals(1, number(json, "open_connections"));
            c.send("GET / HTTP/1.1\r\n\r\nGET /_edgepoll/stats HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
            assertEquals(13, c.readResponse(false).body().length);
            assertTrue(c.readResponse(false).bodyText().contains("\"syscalls\""), "pipelined stats in order");
            assertEquals(13, c.readResponse(false).body().length);
            c.close();
            assertEquals(7, s.stop().total().requests(), "stats requests are not counted");
        }
    }

    @Test
    void statsIntervalPrintsALineAndRewritesTheJson() throws Exception {
        Path stats = tmp.resolve("s.json"), err = tmp.resolve("err.txt");
        try (ServerProcess sp = ServerProcess.start(err, "--port", "0", "--stats-interval", "200ms", "--stats-json", stats.toString())) {
            int port = ServerProcess.port(sp.firstLine());
            try (RawClient c = new RawClient(port)) {
                for (int i = 0; i < 50; i++) {
                    c.send("GET / HTTP/1.1\r\n\r\n");
                    c.readResponse(false);
                }
                // the reporter runs every 200 ms: wait for a JSON rewrite that counts all 50 and two interval lines
                Await.until(10_000, "two interval lines", () -> Files.readAllLines(err).stream().filter(l -> l.contains("req/s=")).count() >= 2 ? true : null);
                String json = Await.settle(10_000, () -> Files.exists(stats) ? Files.readString(stats) : "",
                        j -> j.endsWith("}\n") && j.matches("(?s).*\"requests\": 50\\D.*"));
                assertTrue(!json.isEmpty(), "--stats-json rewritten while running");
                assertEquals(50, number(json, "requests"));
            }
            assertEquals(0, sp.terminate());
        }
        List<String> lines = Files.readAllLines(err).stream().filter(l -> l.contains("req/s=")).toList();
        assertTrue(lines.size() >= 2, "interval lines: " + lines);
        assertTrue(Pattern.matches("edgepoll: req/s=\\d+ syscalls/req=[\\d.]+ events/wakeup=[\\d.]+ eagain/req=[\\d.]+ open=\\d+", lines.get(0)), lines.get(0));
    }

    /** Seed 001's story in two traces: ET's extra read ends in EAGAIN; LT turns EPOLLOUT on and off with MOD. */
    @Test
    void tracesShowEtEagainReadsAndLtModCalls() throws Exception {
        Path et = tmp.resolve("et.trace"), lt = tmp.resolve("lt.trace");
        for (String mode : new String[] {"et", "lt"}) {
            Path file = mode.equals("et") ? et : lt;
            try (ServerHandle s = ServerHandle.start(mode, "--trace", file.toString(), "--trace-connections", "1",
                    "--response-size", Integer.toString(8 << 20));
                 RawClient c = new RawClient(s.port(), 20_000);
                 RawClient untraced = new RawClient(s.port())) {
                untraced.send("HEAD / HTTP/1.1\r\n\r\n");
                untraced.readResponse(true);
                c.send("GET / HTTP/1.1\r\n\r\n");
                Live.awaitSendStalled(s, mode, c.socket);  // the 8 MiB body meets a full socket: EAGAIN on send
                assertEquals(8 << 20, c.readResponse(false).body().length);
            }
        }
        String etText = Files.readString(et), ltText = Files.readString(lt);
        assertTrue(etText.startsWith("# edgepoll trace: mode=et"), etText);
        assertTrue(etText.contains("epoll_ctl(") && etText.contains("EPOLL_CTL_ADD") && etText.contains("EPOLLET"), etText);
        assertTrue(Pattern.compile("read\\(\\d+, 16384\\) = -1 EAGAIN").matcher(etText).find(), "ET's read that ends the drain:\n" + etText);
        assertTrue(etText.contains("sendto(") && etText.contains("= -1 EAGAIN"), etText);
        assertTrue(!etText.contains("EPOLL_CTL_MOD"), "ET never MODs:\n" + etText);
        assertTrue(ltText.contains("EPOLL_CTL_MOD") && ltText.contains("{events=EPOLLOUT}"), "LT turns EPOLLOUT on:\n" + ltText);
        assertTrue(ltText.contains("{events=EPOLLIN|EPOLLRDHUP}) = 0"), "LT turns it off again:\n" + ltText);
        assertEquals(1, Pattern.compile("accept4\\(").matcher(ltText).results().count(), "one connection followed:\n" + ltText);
    }
}
