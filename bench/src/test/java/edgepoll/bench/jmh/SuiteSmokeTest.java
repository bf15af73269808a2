package edgepoll.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A thin slice of the JMH suite through JMH's own runner (in this JVM, 200 ms iterations), so a
 * benchmark that breaks (a server that does not start, a client that hangs, a metric that is not
 * reported) fails the build instead of the next person's measurement.
 */
class SuiteSmokeTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripAndDowncallsRunAndReportTheirFigures() throws Exception {
        Path alloc = tmp.resolve("alloc.txt");
        System.setProperty("edgepoll.bench.alloc", alloc.toString());
        try {
            Options opts = new OptionsBuilder()
                    .include(RoundTripBench.class.getSimpleName() + ".roundTrip$")
                    .include(DowncallBench.class.getSimpleName() + ".(ffmReadEagain|ffmEpollWait|nettyReadEagain|jdkReadEagain)$")
                    .include(DowncallOverheadBench.class.getSimpleName() + ".(plain|captureCritical)$")
                    // in the server's test sources (package-private loop code), found through its JMH list
                    .include("edgepoll\\.loop\\.LendingBench.(pool|scratch)$")
                    .param("mode", "et", "lt")
                    .param("connections", "16")
                    .forks(0)
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(300))
                    .shouldFailOnError(true)
                    .build();
            Collection<RunResult> results = new Runner(opts).run();
            assertEquals(10, results.size(), "2 round-trip modes + 4 downcalls + 2 downcall overheads + 2 lendings");
            for (RunResult r : results) {
                String name = r.getParams().getBenchmark();
                double score = r.getPrimaryResult().getScore();
                assertTrue(score > 0 && Double.isFinite(score), name + " scored " + score);
                if (name.endsWith("roundTrip")) {
                    double requests = r.getSecondaryResults().get("requests").getScore();
                    // one invocation is 16 requests: the secondary metric is 16 times the primary one
                    assertEquals(16 * score, requests, 16 * score * 1e-6, name);
                }
            }
            List<String> lines = Files.readAllLines(alloc);
            assertEquals(2, lines.size(), lines.toString());
            for (String l : lines) {
                assertTrue(l.matches("server bytes/request \\(loop thread, measured iterations\\): [0-9.]+ .*"), l);
            }
        } finally {
            System.clearProperty("edgepoll.bench.alloc");
        }
    }
}
