package edgepoll.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * What the kernel is told, not what the flags say: under {@code strace -f}, the listening socket
 * (the fd given to listen) and the accepted one (accept4's result) are registered with EPOLLET
 * under {@code netty-et} and without it under {@code netty-lt} and {@code nio}. This is the check
 * that caught Netty 4.2 ignoring {@code EPOLL_MODE}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PeersEpollRegistrationTest {
    static final List<String> VARIANTS = PeerProcess.VARIANTS;
    private static final Pattern LISTEN = Pattern.compile("listen\\((\\d+), \\d+\\)\\s+= 0");
    private static final Pattern ACCEPT = Pattern.compile("accept4?\\((\\d+),.*\\)\\s+= (\\d+)$");
    private static final Pattern CTL = Pattern.compile("epoll_ctl\\(\\d+, EPOLL_CTL_(ADD|MOD), (\\d+), \\{events=([A-Z|0-9]+),");

    @TempDir
    Path tmp;

    private static void skip(String reason) {
        System.err.println("SKIPPED PeersEpollRegistrationTest: " + reason);
        Assumptions.abort(reason);
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void listenerAndConnectionsAreEdgeTriggeredExactlyUnderNettyEt(String variant) throws Exception {
        String strace = PeersHttpTest.onPath("strace");
        if (strace == null) skip("strace is not installed");
        Process probe = new ProcessBuilder(strace, "-f", "-qq", "-e", "trace=none", "true").redirectErrorStream(true).start();
        String probeOut = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!probe.waitFor(20, TimeUnit.SECONDS) || probe.exitValue() != 0) skip("ptrace is not permitted here: " + probeOut.strip());

        Path trace = tmp.resolve("strace.txt");
        List<String> wrapper = List.of(strace, "-f", "-qq", "-o", trace.toString(), "-e", "trace=socket,listen,accept,accept4,epoll_ctl");
        try (PeerProcess p = PeerProcess.start(tmp, wrapper, variant, "--protocol", "http");
             RawClient c = new RawClient(p.port)) {
            c.send("GET / HTTP/1.1\r\n\r\n");
            assertEquals(200, c.readResponse(false).status());
            c.close();
            assertEquals(0, p.terminate(), p.stderr());
        }
        List<String> lines = joinResumed(Files.readAllLines(trace));
        // The listener is registered before listen(2) is called: its lines start at the socket(2) that made it.
        String listenFd = null, connFd = null;
        int listenerFrom = 0, connFrom = -1;
        for (int i = 0; i < lines.size() && listenFd == null; i++) {
            Matcher m = LISTEN.matcher(lines.get(i));
            if (!m.find()) continue;
            listenFd = m.group(1);
            for (int j = i; j >= 0; j--) {
                if (lines.get(j).matches("\\d+\\s+socket\\(.*\\)\\s+= " + listenFd)) {
                    listenerFrom = j;
                    break;
                }
            }
        }
        for (int i = listenerFrom; i < lines.size() && connFd == null; i++) {
            Matcher m = ACCEPT.matcher(lines.get(i));
            if (m.find() && m.group(1).equals(listenFd)) {
                connFd = m.group(2);
                connFrom = i;
            }
        }
        Map<String, List<String>> events = new HashMap<>();  // "listener"/"connection" -> "ADD|MOD events"
        collect(lines, listenerFrom, listenFd, events.computeIfAbsent("listener", k -> new ArrayList<>()));
        if (connFrom >= 0) collect(lines, connFrom, connFd, events.computeIfAbsent("connection", k -> new ArrayList<>()));
        String report = variant + ": listener fd " + listenFd + ", connection fd " + connFd + ", epoll_ctl " + events;
        System.out.println(report);
        boolean et = variant.equals("netty-et");
        for (String who : List.of("listener", "connection")) {
            List<String> masks = events.get(who);
            assertTrue(masks != null && masks.stream().anyMatch(e -> e.contains("EPOLLIN")), who + " registered for EPOLLIN: " + report);
            for (String e : masks) {
                if (et) assertTrue(e.contains("EPOLLET"), who + " " + e + ": " + report);
                else assertFalse(e.contains("EPOLLET"), who + " " + e + ": " + report);
            }
        }
    }

    /** The ADD and MOD masks of {@code fd} from line {@code from} until it is deleted from the epoll set. */
    private static void collect(List<String> lines, int from, String fd, List<String> into) {
        for (int i = from; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.contains("EPOLL_CTL_DEL, " + fd + ",")) return;
            Matcher m = CTL.matcher(line);
            if (m.find() && m.group(2).equals(fd)) into.add(m.group(1) + " " + m.group(3));
        }
    }

    /** Rejoins "pid call(... <unfinished ...>" with its "pid <... call resumed> ...) = r" line. */
    static List<String> joinResumed(List<String> raw) {
        Map<String, String> pending = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String line : raw) {
            String pid = line.split("\\s+", 2)[0];
            if (line.endsWith("<unfinished ...>")) {
                pending.put(pid, line.substring(0, line.length() - "<unfinished ...>".length()));
            } else if (line.contains("<... ") && line.contains(" resumed>") && pending.containsKey(pid)) {
                out.add(pending.remove(pid) + line.substring(line.indexOf(" resumed>") + " resumed>".length()));
            } else {
                out.add(line);
            }
        }
        return out;
    }
}
