package edgepoll.bench.jmh;

import edgepoll.sys.CallState;
import edgepoll.sys.Net;
import edgepoll.sys.gen.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
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
 * What a downcall costs on the Java side alone, with no kernel entry to hide it: DowncallBench and
 * CaptureBench time a syscall, whose kernel entry and exit (0.3–1.5 µs on this VM, depending on the
 * host) drown differences of a few ns. Here the C function is {@code inet_pton(AF_INET, "1.2.3.4",
 * dst)}, pure user-space libc (~20 ns), linked the ways edgepoll could link a syscall:
 * <ul>
 *   <li>{@code plain}: no linker option (no errno).</li>
 *   <li>{@code capture}: {@code captureCallState("errno")} with a capture segment from a confined
 *       arena, as the server's loops did: the downcall acquires and releases that segment's session
 *       around the call (the arena must not close during it).</li>
 *   <li>{@code captureUnscoped}: the same memory passed as a segment of the global scope
 *       ({@code MemorySegment.ofAddress(a).reinterpret(n)}): no session to acquire; the owner that
 *       keeps the memory alive is the caller's, as for the raw buffer addresses of {@code readAt}.</li>
 *   <li>{@code captureCritical}: {@code capture} plus {@code Linker.Option.critical(false)}: no
 *       thread-state transition.</li>
 * </ul>
 * All pass the two pointers as raw addresses ({@code long}), as the server's hot calls do.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DowncallOverheadBench {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor PTON = FunctionDescriptor.of(LibC.C_INT, LibC.C_INT, LibC.C_LONG, LibC.C_LONG);
    private static final MethodHandle PLAIN = LINKER.downcallHandle(LibC.inet_pton$address(), PTON);
    private static final MethodHandle CAPTURE = LINKER.downcallHandle(LibC.inet_pton$address(), PTON,
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CRITICAL = LINKER.downcallHandle(LibC.inet_pton$address(), PTON,
            Linker.Option.captureCallState("errno"), Linker.Option.critical(false));

    private Arena arena;
    private MemorySegment cs, csUnscoped;
    private long src, dst;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        arena = Arena.ofConfined();
        cs = CallState.allocate(arena);
        csUnscoped = MemorySegment.ofAddress(cs.address()).reinterpret(cs.byteSize());
        src = arena.allocateFrom("1.2.3.4").address();
        dst = arena.allocate(16).address();
        if (plain() != 1 || capture() != 1 || captureUnscoped() != 1 || captureCritical() != 1) {
            throw new IllegalStateException("inet_pton did not parse 1.2.3.4");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int plain() throws Throwable {
        return (int) PLAIN.invokeExact(Net.AF_INET, src, dst);
    }

    @Benchmark
    public int capture() throws Throwable {
        int rc = (int) CAPTURE.invokeExact(cs, Net.AF_INET, src, dst);
        return rc < 0 ? -CallState.errno(cs) : rc;
    }

    @Benchmark
    public int captureUnscoped() throws Throwable {
        int rc = (int) CAPTURE.invokeExact(csUnscoped, Net.AF_INET, src, dst);
        return rc < 0 ? -CallState.errno(csUnscoped) : rc;
    }

    @Benchmark
    public int captureCritical() throws Throwable {
        int rc = (int) CRITICAL.invokeExact(cs, Net.AF_INET, src, dst);
        return rc < 0 ? -CallState.errno(cs) : rc;
    }
}
