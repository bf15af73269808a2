package edgepoll.server.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.UringSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 24's mixed-fault soak: for a fixed time, a seeded random mix of clients ({@link SoakClients}:
 * keep-alive and pipelined requests, slow readers, resets mid-response, half-closes, 1 MiB replies,
 * slowloris heads, bursts of connects) against a server process, in each way of running it. Then the
 * invariants, from the clients' side and the server's:
 * <ul>
 *   <li>every request a client read a reply for got exactly one whole reply, the right one, in
 *       order, and nothing after the last (checked on every connection as it runs);
 *   <li>the server counted every request answered and no more than were sent;
 *   <li>it accepted exactly the connections the clients made, and closed every one (accepted =
 *       closed + open, the open ones being only the stats request's own), also in the exit stats;
 *   <li>no buffer still lent, fds back to their baseline, exit 0 on SIGTERM.
 * </ul>
 * Short form (scripts/test): 2 s of load per variant, 8 client threads. Long form
 * ({@code scripts/test --long}): 30 s, 16 threads. The seed is printed; {@code -Dedgepoll.soak.seed=N}
 * replays it (each worker's choices; the interleaving is the scheduler's). Shared-epoll is left out:
 * it has no header timeout and no live stats endpoint (loop/SharedEpollLoop says so).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MixedFaultSoakTest {
    private static final boolean LONG = Boolean.getBoolean("edgepoll.long");
    private static final long SEED = Long.getLong("edgepoll.soak.seed", System.nanoTime() & 0xffffffffL);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"et", "et-short-read", "lt", "uring",
            "et --loops 4", "et --loops 4 --listener shared", "et --loops 4 --listener exclusive",
            "lt --loops 4", "lt --loops 4 --listener shared", "lt --loops 4 --listener exclusive", "uring --loops 4"})
    void mixedFaultsLeaveEveryInvariantStanding(String variant) throws Exception {
        if (variant.startsWith("uring")) UringSupport.assumeAvailable();
        long seed = SEED ^ variant.hashCode();
        long seconds = LONG ? 30 : 2;
        int workers = LONG ? 16 : 8;
        System.out.printf("soak %s: seed %d (replay: -Dedgepoll.soak.seed=%d)%n", variant, SEED, SEED);
        List<String> args = new ArrayList<>(List.of("--port", "0", "--response-size", Long.toString(SoakClients.BODY),
                "--header-timeout", SoakClients.HEADER_TIMEOUT_MS + "ms", "--stats-json", tmp.resolve("stats.json").toString()));
        String[] words = variant.split(" ");
        args.addAll(List.of("--mode", words[0].equals("et-short-read") ? "et" : words[0]));
        if (words[0].equals("et-short-read")) args.addAll(List.of("--drain", "short-read"));
        args.addAll(List.of(words).subList(1, words.length));
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), args.toArray(String[]::new))) {
            String first = sp.firstLine();
            assertTrue(first != null && first.startsWith("listening on"), "first line: " + first + "\n" + Files.readString(tmp.resolve("err")));
            int port = ServerProcess.port(first);
            long pid = sp.process.pid();
            int fd0 = FloodAndSoakTest.settledBaseline(port, pid);
            long ownConnects = 1, ownRequests = 1;  // the baseline's warm-up connection and its request

            SoakClients clients = new SoakClients(port);
            long t0 = System.nanoTime();
            long deadline = t0 + seconds * 1_000_000_000L;
            try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
                List<Future<?>> fs = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    long workerSeed = seed * 31 + w;
                    fs.add(pool.submit(() -> {
                        clients.work(workerSeed, deadline);
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get(seconds + 120, TimeUnit.SECONDS);
            }
            double ran = (System.nanoTime() - t0) / 1e9;
            long connects = clients.connects.sum(), answered = clients.answered.sum(), uncertain = clients.uncertain.sum();

            // The server has accepted every connection the clients made and closed all but the one asking.
            long[] statsConnects = {0};
            String json = Await.until(30_000, "the server to accept and close every client connection", () -> {
                statsConnects[0]++;
                String j = FloodAndSoakTest.stats(port);
                long expected = connects + ownConnects + statsConnects[0];
                return number(j, "connections_accepted") == expected && number(j, "open_connections") == 1 ? j : null;
            });
            long requests = number(json, "requests");
            long buffersInUse = number(json, "buffers_in_use");
            int fd1 = Await.settle(10_000, () -> FloodAndSoakTest.fdCount(pid), n -> n == fd0);
            String kinds = clients.runs.entrySet().stream().map(e -> e.getKey().name().toLowerCase() + " " + e.getValue().sum())
                    .collect(Collectors.joining(", "));
            System.out.printf("soak %s: %.1f s, %d client threads, seed %d: %d connections, %d requests answered whole"
                    + " (+%d cut by a reset), server counted %d; clients by kind: %s; %.0f MiB read; slowloris closed after <= %d ms;"
                    + " accepted %d, closed %d; buffers in use %d, pool %d bytes; fds %d -> %d; server errors: %s%n",
                    variant, ran, workers, SEED, connects, answered, uncertain, requests, kinds, clients.bytesRead.sum() / 1048576.0,
                    clients.slowestSlowlorisCloseMs.get(), number(json, "connections_accepted"), number(json, "connections_closed"),
                    buffersInUse, number(json, "buffer_pool_bytes"), fd0, fd1, errnos(json));

            assertEquals(List.of(), List.copyOf(clients.violations), "client-side violations (seed " + SEED + ")");
            for (Map.Entry<SoakClients.Kind, java.util.concurrent.atomic.LongAdder> e : clients.runs.entrySet()) {
                assertTrue(e.getValue().sum() > 0, "the mix ran no " + e.getKey() + " client (seed " + SEED + ")");
            }
            long clientRequests = requests - ownRequests;
            assertTrue(clientRequests >= answered && clientRequests <= answered + uncertain, "server requests " + clientRequests
                    + " (of the clients') within [answered " + answered + ", + cut " + uncertain + "] (seed " + SEED + ")");
            assertTrue(buffersInUse <= 1, "no buffer still lent but the stats request's own: " + buffersInUse);
            assertEquals(fd0, fd1, "server fds back to baseline (seed " + SEED + ")");
            assertEquals(0, sp.terminate(), "exit 0 on SIGTERM");
            String fin = Files.readString(tmp.resolve("stats.json"));
            String total = totalOf(fin);
            assertEquals(number(total, "connections_accepted"), number(total, "connections_closed"), "every accepted connection closed at exit");
            assertEquals(0, number(total, "buffers_in_use"), "every buffer back in the pool at exit");
            assertEquals(requests, number(total, "requests"), "no request after the clients stopped");
        }
    }

    /** The "total" member of a stats document, without the per-loop ones after it. */
    static String totalOf(String json) {
        int from = json.indexOf("\"total\""), to = json.indexOf("\"loops\": [");
        return json.substring(from, to > from ? to : json.length());
    }

    static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json.substring(0, Math.min(200, json.length())));
        return Long.parseLong(m.group(1));
    }

    /** The server's syscall errors by errno, from the totals (resets and the like the mix provoked). */
    static String errnos(String json) {
        Matcher m = Pattern.compile("\"(\\w+)\": \\{\"calls\": \\d+, \"ok\": \\d+, \"eagain\": \\d+, \"eintr\": \\d+, \"errors\": [1-9]\\d*, "
                + "\"bytes\": \\d+, \"errors_by_errno\": \\{([^}]*)\\}").matcher(totalOf(json));
        StringBuilder sb = new StringBuilder();
        while (m.find()) sb.append(sb.isEmpty() ? "" : "; ").append(m.group(1)).append(' ').append(m.group(2).replace("\"", ""));
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
