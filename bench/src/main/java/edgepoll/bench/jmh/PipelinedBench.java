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
 * Pipelining: every connection sends {@code depth} requests in one write and reads the
 * {@code depth} responses; edgepoll answers a burst with one send.
 */
@State(Scope.Benchmark)
public class PipelinedBench extends NetworkBench {
    @Param({"et", "lt", "et-short-read"})
    public String mode;

    @Param({"16"})
    public int depth;

    @Param({"16"})
    public int connections;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = BenchServer.start(mode, "PipelinedBench depth=" + depth + " connections=" + connections);
        clients = new Clients(server.port(), connections, depth, 256);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long pipelined(RequestCounter counter) throws Exception {
        counter.requests += (long) connections * depth;
        return clients.roundTripAll();
    }
}
