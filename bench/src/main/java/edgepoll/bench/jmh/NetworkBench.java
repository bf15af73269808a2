package edgepoll.bench.jmh;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What every network benchmark shares: the in-process server, started by the subclass's trial
 * set-up, the loop thread's allocation over the measured iterations (warm-up excluded), printed
 * when the trial ends, and the defaults for a 2-CPU machine (JMH reads these annotations from the
 * superclass): one fork, 2 × 1 s warm-up, 3 × 2 s measurement.
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
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
