package edgepoll.loop;

import edgepoll.config.Options;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.worker.BufferPool;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The buffer work of one strict-ET keep-alive request, without the syscalls and the parse: the read
 * that brings the request takes an input buffer, the reply takes an output buffer, both are given
 * back at the end of the turn, and the EAGAIN read that ends the drain takes and gives back an input
 * buffer again. {@code pool}: every one of those from the {@link BufferPool} (the loop before the
 * scratch pair); {@code scratch}: ConnectionTable's scratch pair, as the loop does now.
 *
 * <p>A JMH benchmark in the server module's test sources, in package edgepoll.loop, because what it
 * measures is the loop's own package-private code (ConnectionTable's lending, Connection's fields),
 * which is not public API and should not become public for a benchmark. The server module owns this
 * package, so the benchmark lives there; the JMH annotation processor runs on the server's test
 * sources, and bench/target/benchmarks.jar takes this class and its generated code from the server's
 * test jar, so {@code scripts/jmh LendingBench} runs it like every other benchmark. A timed unit test
 * would not do: speed is measured in benchmarks. bench's SuiteSmokeTest runs it, as found through
 * JMH's lists, in every build.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LendingBench {
    private Arena arena;
    private BufferPool pool;
    private ConnectionTable table;
    private Connection[] connections;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        pool = new BufferPool(arena, 16384);
        table = new ConnectionTable(new LoopSyscalls(arena, null), new BusySweep(0), pool, Options.defaults());
        connections = new Connection[64];  // as wrk -c64: the loop serves them in turn
        for (int i = 0; i < connections.length; i++) connections[i] = new Connection(1000 + i);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    private Connection nextConnection() {
        Connection c = connections[next];
        next = (next + 1) & 63;
        return c;
    }

    @Benchmark
    public long pool() {
        Connection c = nextConnection();
        c.in = pool.acquire();  // the read that brings the request
        c.inLen = 40;
        c.inPos = 40;  // parsed
        c.out = pool.acquire();
        c.outLen = 150;
        c.outPos = 150;  // sent
        pool.release(c.in);
        c.in = null;
        c.inPos = c.inLen = 0;
        pool.release(c.out);
        c.out = null;
        c.outPos = c.outLen = 0;
        c.in = pool.acquire();  // the EAGAIN read
        long size = c.in.byteSize();
        pool.release(c.in);
        c.in = null;
        c.inPos = c.inLen = 0;
        return size;
    }

    @Benchmark
    public long scratch() {
        Connection c = nextConnection();
        table.lendInput(c);
        c.inLen = 40;
        c.inPos = 40;
        table.lendOutput(c);
        c.outLen = 150;
        c.outPos = 150;
        table.releaseIdleBuffers(c);
        table.lendInput(c);
        long size = c.in.byteSize();
        table.releaseIdleBuffers(c);
        return size;
    }
}
