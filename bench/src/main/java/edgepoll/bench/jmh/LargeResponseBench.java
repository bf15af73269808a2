package edgepoll.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * 1 MiB responses: more than a loopback socket's send buffer takes at once, so every response hits
 * the send side's EAGAIN path (ET: wait for the EPOLLOUT edge registered once; LT: EPOLLOUT switched
 * on and off with epoll_ctl). The response body is one shared segment sent by cursor, never copied.
 */
@State(Scope.Benchmark)
public class LargeResponseBench extends NetworkBench {
    static final int SIZE = 1 << 20;

    @Param({"et", "lt", "et-short-read"})
    public String mode;

    @Param({"4"})
    public int connections;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = BenchServer.start(mode, "LargeResponseBench 1 MiB connections=" + connections, "--response-size", String.valueOf(SIZE));
        clients = new Clients(server.port(), connections, 1, SIZE + 512);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long largeResponse(RequestCounter counter) throws Exception {
        counter.requests += connections;
        return clients.roundTripAll();
    }
}
