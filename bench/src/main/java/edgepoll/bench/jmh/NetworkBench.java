package edgepoll.bench.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What every network benchmark shares: the in-process server, started by the subclass's trial
 * set-up, and the loop thread's allocation over the measured iterations (warm-up excluded), printed
 * when the trial ends.
 */
abstract class NetworkBench {
    BenchServer server;
    Clients clients;

    @Setup(Level.Iteration)
    public void iterationStarts(IterationParams p) {
        if (p.getType() == IterationType.MEASUREMENT) server.iterationStarts();
    }

    @TearDown(Level.Iteration)
    public void iterationEnds() {
        server.iterationEnds();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (clients != null) clients.close();
        if (server != null) server.close();
    }
}
