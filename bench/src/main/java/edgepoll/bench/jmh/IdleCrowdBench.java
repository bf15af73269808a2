package edgepoll.bench.jmh;

import edgepoll.sys.CallState;
import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.rlimit;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * 5,000 idle connections beside 16 busy ones: epoll's cost follows the ready fds, poll(2)'s the
 * registered ones, so poll pays for the crowd on every wake-up and the epoll modes do not. The
 * idle connections never send a byte, so the server runs with {@code --header-timeout 0} (otherwise
 * they would be closed after 10 s). Needs about 10,100 fds in this process (both ends): the soft
 * RLIMIT_NOFILE is raised to the hard limit.
 */
@State(Scope.Benchmark)
public class IdleCrowdBench extends NetworkBench {
    @Param({"et", "lt", "et-short-read", "poll"})
    public String mode;

    @Param({"5000"})
    public int idle;

    @Param({"16"})
    public int busy;

    private Clients crowd;

    @Setup(Level.Trial)
    public void start() throws Exception {
        raiseFdLimit(2L * (idle + busy) + 256);
        server = BenchServer.start(mode, "IdleCrowdBench idle=" + idle + " busy=" + busy, "--header-timeout", "0");
        crowd = new Clients(server.port(), idle, 1, 256);  // each sent one request to learn the length; now idle
        clients = new Clients(server.port(), busy, 1, 256);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long busyAmongIdle(RequestCounter counter) throws Exception {
        counter.requests += busy;
        return clients.roundTripAll();
    }

    @Override
    public void stop() throws Exception {
        if (crowd != null) crowd.close();
        super.stop();
    }

    static void raiseFdLimit(long needed) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(a);
            MemorySegment rl = rlimit.allocate(a);
            if (Syscalls.getrlimit(cs, LibC.RLIMIT_NOFILE(), rl) != 0) return;
            if (rlimit.rlim_cur(rl) >= needed) return;
            rlimit.rlim_cur(rl, rlimit.rlim_max(rl));
            Syscalls.setrlimit(cs, LibC.RLIMIT_NOFILE(), rl);
            if (rlimit.rlim_max(rl) < needed) {
                System.err.println("IdleCrowdBench: RLIMIT_NOFILE hard limit " + rlimit.rlim_max(rl) + " < " + needed + ": raise it (ulimit -Hn)");
            }
        }
    }
}
