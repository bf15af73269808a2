package edgepoll.server;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.Pace;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.TcpSockets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What sets each server model of the seeds apart, checked in its counters and behaviour. */
class ModelsTest {
    @TempDir
    Path tmp;

    @Test
    void blockingAnswersOneRequestPerConnectionOneConnectionAtATime() throws Exception {
        try (ServerHandle s = ServerHandle.start("blocking")) {
            for (int i = 0; i < 20; i++) {
                try (RawClient c = new RawClient(s.port())) {
                    c.send("GET / HTTP/1.1\r\n\r\n");
                    String all = new String(c.readToEof(), StandardCharsets.ISO_8859_1);
                    assertTrue(all.contains("\r\nConnection: close\r\n") && all.endsWith("Hello, world!"), all);
                }
            }
            Stats st = s.stop();
            assertEquals(20, st.total().requests());
            assertEquals(20, st.total().accepted());
            assertEquals(0, st.total().calls(Sys.EPOLL_WAIT) + st.total().calls(Sys.POLL), "no readiness API at all");
            assertEquals(0, st.total().eagain(Sys.READ), "blocking reads never say EAGAIN");
        }
    }

    @Test
    void onceServesOneConnectionAndExits() throws Exception {
        try (ServerProcess sp = ServerProcess.start(tmp.resolve("err"), "--mode", "blocking", "--once", "--port", "0")) {
            int port = ServerProcess.port(sp.firstLine());
            try (RawClient c = new RawClient(port)) {
                c.send("GET / HTTP/1.0\r\n\r\n");
                assertTrue(new String(c.readToEof(), StandardCharsets.ISO_8859_1).endsWith("Hello, world!"));
            }
            assertTrue(sp.process.waitFor(10, TimeUnit.SECONDS), "exits after its one connection");
            assertEquals(0, sp.process.exitValue());
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#blocking")
    void readTimeoutDropsASilentClient(String variant) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--read-timeout", "300ms");
             RawClient silent = new RawClient(s.port(), 5_000)) {
            long t0 = System.nanoTime();
            assertTrue(silent.closedByServer(), "a client that sends nothing is dropped");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 250 && ms < 3_000, "dropped after about 300 ms, took " + ms);
        }
    }

    @Test
    void maxThreadsLeavesFurtherConnectionsInTheBacklogUntilOneEnds() throws Exception {
        try (ServerHandle s = ServerHandle.start("threads", "--max-threads", "2");
             RawClient a = new RawClient(s.port()); RawClient b = new RawClient(s.port()); RawClient c = new RawClient(s.port(), 3_000)) {
            for (RawClient x : new RawClient[] {a, b}) {
                x.send("GET / HTTP/1.1\r\n\r\n");
                assertEquals(200, x.readResponse(false).status());
            }
            c.send("GET / HTTP/1.1\r\n\r\n");
            Await.until(10_000, "the third connection to wait in the listener's accept queue", () -> {
                TcpSockets.Entry l = TcpSockets.listener(s.port());
                return l != null && l.rxQueue() == 1 ? l : null;
            });
            // Scenario timing: "not served" is an absence, which no condition can signal; the
            // connection must stay queued for a while, and the kernel still holds it afterwards.
            Pace.hold(300, "a negative: the third connection stays unserved while both threads are busy");
            assertEquals(1, TcpSockets.listener(s.port()).rxQueue(), "third connection still in the accept queue");
            assertEquals(0, c.socket.getInputStream().available(), "third connection not served while two threads are busy");
            a.close();
            assertEquals(200, c.readResponse(false).status(), "served once a thread is free");
        }
    }

    @Test
    void virtualThreadsParkOnEagainThroughOneSharedEpoll() throws Exception {
        try (ServerHandle s = ServerHandle.start("virtual-threads"); RawClient c = new RawClient(s.port())) {
            // Each step leaves the session with nothing to read, so its next read meets EAGAIN for
            // certain: waiting for that EAGAIN (and its re-arm) before the next send makes every
            // half request cost one, where a pause only made it likely.
            long eagains = 0, sent = 0;
            eagains = awaitParkedAfterEagain(s, ++eagains, sent);  // the fresh connection, nothing sent yet
            for (int i = 0; i < 20; i++) {
                c.send("GET / HTTP/1.1\r\n");
                sent += 16;
                eagains = awaitParkedAfterEagain(s, ++eagains, sent);  // read the half request, then EAGAIN and a park
                c.send("\r\n");
                sent += 2;
                assertEquals(200, c.readResponse(false).status());
                eagains = awaitParkedAfterEagain(s, ++eagains, sent);  // answered; the next read meets EAGAIN
            }
            c.close();
            Live.awaitClosed(s, 1);
            Stats st = s.stop();
            SyscallCounters t = st.total();
            System.out.printf("virtual-threads, 20 split requests: read EAGAIN %d, epoll_ctl ADD %d MOD %d, poller epoll_wait %d%n",
                    t.eagain(Sys.READ), t.calls(Sys.EPOLL_CTL_ADD), t.calls(Sys.EPOLL_CTL_MOD), t.calls(Sys.EPOLL_WAIT));
            assertTrue(t.eagain(Sys.READ) >= 20, "each half request leaves the next read with EAGAIN");
            assertEquals(t.eagain(Sys.READ), t.calls(Sys.EPOLL_CTL_ADD) - 1 + t.calls(Sys.EPOLL_CTL_MOD),
                    "one EPOLLONESHOT arm (ADD once, then MOD) per EAGAIN, plus the poller's eventfd ADD");
        }
    }

    /**
     * virtual-threads: waits until the session has met its {@code eagains}-th read EAGAIN with all
     * {@code sent} bytes read, and re-armed its fd (one EPOLLONESHOT ADD or MOD per EAGAIN, plus
     * the poller's eventfd ADD): the session is parked. Returns the EAGAIN count reached.
     */
    private static long awaitParkedAfterEagain(ServerHandle s, long eagains, long sent) throws Exception {
        return Live.await(s, "read EAGAIN #" + eagains + " after " + sent + " bytes, and its park", c ->
                c.bytesIn() == sent && c.eagain(Sys.READ) >= eagains
                        && c.calls(Sys.EPOLL_CTL_ADD) - 1 + c.calls(Sys.EPOLL_CTL_MOD) == c.eagain(Sys.READ)).eagain(Sys.READ);
    }

    @Test
    void busyPollShowsItsWasteAsEagainAndPollSleepCutsIt() throws Exception {
        double spin = eagainPerRequest("0"), sleepy = eagainPerRequest("2ms");
        System.out.printf("busy-poll, 16 idle + 1 busy connection: EAGAIN/request %.1f spinning, %.1f with --poll-sleep 2ms%n", spin, sleepy);
        assertTrue(spin > 20, "spinning over 17 sockets wastes many EAGAINs per request: " + spin);
        assertTrue(sleepy < spin, "sleeping between sweeps wastes fewer");
    }

    private static double eagainPerRequest(String sleep) throws Exception {
        try (ServerHandle s = ServerHandle.start("busy-poll", "--poll-sleep", sleep)) {
            RawClient[] idle = new RawClient[16];
            for (int i = 0; i < idle.length; i++) idle[i] = new RawClient(s.port());
            try (RawClient c = new RawClient(s.port())) {
                for (int i = 0; i < 200; i++) {
                    c.send("GET / HTTP/1.1\r\n\r\n");
                    assertEquals(200, c.readResponse(false).status());
                }
            }
            for (RawClient r : idle) r.close();
            Live.awaitClosed(s, 17);  // the 16 idle connections and the busy one
            SyscallCounters t = s.stop().total();
            assertEquals(0, t.calls(Sys.EPOLL_WAIT) + t.calls(Sys.POLL), "no readiness API");
            return (double) (t.eagain(Sys.READ) + t.eagain(Sys.ACCEPT4)) / t.requests();
        }
    }

    @Test
    void pollModeWaitsWithPollAndNeverTouchesEpoll() throws Exception {
        try (ServerHandle s = ServerHandle.start("poll", "--response-size", Integer.toString(8 << 20));
             RawClient c = new RawClient(s.port(), 20_000)) {
            c.send("GET / HTTP/1.1\r\n\r\n");
            Live.awaitSendStalled(s, "poll", c.socket);  // the 8 MiB body meets a full socket: EAGAIN on send
            assertEquals(8 << 20, c.readResponse(false).body().length);
            c.close();
            Live.awaitClosed(s, 1);
            SyscallCounters t = s.stop().total();
            assertTrue(t.calls(Sys.POLL) > 0);
            assertEquals(0, t.calls(Sys.EPOLL_CREATE1) + t.calls(Sys.EPOLL_WAIT) + t.calls(Sys.EPOLL_CTL_ADD) + t.calls(Sys.EPOLL_CTL_MOD));
            assertTrue(t.eagain(Sys.SEND) > 0, "the large body met a full socket and waited for POLLOUT");
        }
    }
}
