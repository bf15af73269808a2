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
 * Keep-alive round trips against the in-process server: one invocation sends one request on each of
 * {@code connections} connections, then reads every response, so {@code connections} requests are in
 * flight at once and the server sees them as one batch of readiness. {@code ·requests} is req/s; the
 * SampleTime figure is the time for the whole batch (the latency of a request under that concurrency).
 * One client thread: on a 2-CPU machine more would only take CPU from the server.
 */
@State(Scope.Benchmark)
public class RoundTripBench extends NetworkBench {
    @Param({"et", "lt", "et-short-read"})
    public String mode;

    @Param({"1", "16", "128"})
    public int connections;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = BenchServer.start(mode, "RoundTripBench connections=" + connections);
        clients = new Clients(server.port(), connections, 1, 256);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long roundTrip(RequestCounter counter) throws Exception {
        counter.requests += connections;
        return clients.roundTripAll();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long roundTripLatency() throws Exception {
        return clients.roundTripAll();
    }
}
