package edgepoll.server;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pipelined requests are answered in order and leave in batched writes. */
class HttpPipeliningTest {

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#keepAlive")
    void thousandPipelinedRequestsInOneWriteGetThousandResponsesInOrder(String variant) throws Exception {
        int n = 1000;
        boolean[] isHead = new boolean[n];
        StringBuilder burst = new StringBuilder();
        Random random = new Random(42);
        for (int i = 0; i < n; i++) {
            isHead[i] = random.nextBoolean();
            burst.append(isHead[i] ? "HEAD" : "GET").append(" /").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try (ServerHandle s = ServerHandle.start(variant); RawClient c = new RawClient(s.port())) {
            c.send(burst.toString());
            for (int i = 0; i < n; i++) {
                // A GET/HEAD mix encodes the order: a response out of order misreads the next head.
                RawClient.Response r = c.readResponse(isHead[i]);
                assertEquals(200, r.status(), "response " + i);
                assertEquals(isHead[i] ? 0 : 13, r.body().length, "response " + i);
            }
            c.close();
            Stats st = s.stop();
            assertEquals(n, st.total().requests());
            long sends = st.total().calls(Sys.SEND);
            System.out.printf("%s: %d pipelined requests answered with %d sendto calls%n", variant, n, sends);
            assertTrue(sends < n / 10, "responses batched into few writes, got " + sends + " sends");
        }
    }

    @ParameterizedTest
    @MethodSource("edgepoll.server.testkit.Variants#loops")
    void corkWrapsMultiWriteBatchesAndChangesNoByte(String variant) throws Exception {
        int n = 1000;
        String burst = "GET / HTTP/1.1\r\n\r\n".repeat(n);
        try (ServerHandle s = ServerHandle.start(variant, "--cork"); RawClient c = new RawClient(s.port())) {
            c.send(burst);
            for (int i = 0; i < n; i++) assertEquals("Hello, world!", c.readResponse(false).bodyText(), "response " + i);
            c.send("GET / HTTP/1.1\r\n\r\n");  // a lone request: one write, no cork
            assertEquals(200, c.readResponse(false).status());
            c.close();
            Stats st = s.stop();
            long corks = st.total().calls(Sys.SETSOCKOPT);
            System.out.printf("%s --cork: %d setsockopt(TCP_CORK) calls for %d pipelined requests%n", variant, corks, n + 1);
            assertTrue(corks >= 2 && corks % 2 == 0, "TCP_CORK set and cleared in pairs: " + corks);
            assertEquals(0, st.total().errors(Sys.SETSOCKOPT));
        }
    }
}
