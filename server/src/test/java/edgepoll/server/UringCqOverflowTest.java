package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.SyscallCounters;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A completion queue smaller than one turn's completions (issue 24): --uring-entries 8 gives a CQ of
 * 16 entries, and 256 connections that each send a request at once complete far more than 16 recvs
 * and sends between two reaps. The kernel (FEAT_NODROP, checked at start) keeps the excess in its
 * overflow list and says so (IORING_SQ_CQ_OVERFLOW, or -EBUSY from enter); the loop counts it and
 * loses nothing: every request gets its reply, and no completion is dropped.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UringCqOverflowTest {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int REPLY = "HTTP/1.1 200 OK\r\nServer: edgepoll\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n".length()
            + "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!".length();

    @Test
    void aTinyCqOverflowsIsCountedAndLosesNoCompletion() throws Exception {
        int connections = 256;
        long rounds = 0, replies = 0;
        Stats stats;
        try (ServerHandle s = ServerHandle.start("uring", "--uring-entries", "8")) {
            List<Socket> socks = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    Socket c = new Socket();
                    c.connect(new InetSocketAddress("127.0.0.1", s.port()), 10_000);
                    c.setSoTimeout(10_000);
                    c.setTcpNoDelay(true);
                    socks.add(c);
                }
                byte[] buf = new byte[REPLY];
                // Rounds of one request on every connection at once, until the server has seen an
                // overflow (bounded: a kernel that never overflows a 16-entry CQ here fails the await).
                long[] counted = new long[2];
                do {
                    for (Socket c : socks) c.getOutputStream().write(REQUEST);
                    for (Socket c : socks) {
                        InputStream in = c.getInputStream();
                        for (int got = 0; got < REPLY; ) {
                            int n = in.read(buf, got, REPLY - got);
                            if (n < 0) throw new AssertionError("server closed a connection in round " + rounds);
                            got += n;
                        }
                        String reply = new String(buf, StandardCharsets.ISO_8859_1);
                        assertTrue(reply.startsWith("HTTP/1.1 200 OK\r\n") && reply.endsWith("Hello, world!"), reply);
                        replies++;
                    }
                    rounds++;
                    SyscallCounters c = s.server().liveStats().total();
                    counted[0] = c.cqOverflowEnters();
                    counted[1] = c.enterBusy();
                } while (counted[0] + counted[1] == 0 && rounds < 200);
            } finally {
                for (Socket c : socks) c.close();
            }
            Await.until(20_000, "the server to close every connection", () -> {
                SyscallCounters c = s.server().liveStats().total();
                return c.accepted() == c.closed() ? true : null;
            });
            stats = s.stop();
        }
        SyscallCounters t = stats.total();
        System.out.printf("uring, a 16-entry CQ: %d rounds of %d requests at once, %d replies; CQ overflow after %d enters, %d EBUSY, %d dropped;"
                + " %d enters, %d CQEs%n", rounds, connections, replies, t.cqOverflowEnters(), t.enterBusy(), t.cqDropped(),
                t.calls(edgepoll.stats.Sys.IO_URING_ENTER), t.totalCqes());
        assertTrue(t.cqOverflowEnters() + t.enterBusy() > 0, "the CQ overflowed and the loop counted it");
        assertEquals(0, t.cqDropped(), "no completion dropped (FEAT_NODROP)");
        assertEquals(replies, t.requests(), "every request answered exactly once");
        assertEquals(connections, t.accepted());
        assertEquals(t.accepted(), t.closed());
        String json = stats.toJson();
        assertTrue(json.contains("\"cq_overflow_enters\": " + t.cqOverflowEnters()) && json.contains("\"enter_ebusy\": ")
                && json.contains("\"cq_dropped\": 0"), "the JSON has the overflow figures");
        assertTrue(stats.table().contains("CQ overflow after"), "the exit table has them");
    }
}
