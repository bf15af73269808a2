package edgepoll.bench.jmh;

import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.Syscalls;
import edgepoll.sys.gen.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Socket;
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
 * The price of errno capture and of the syscall's name on the hot path's calls, on an accepted,
 * non-blocking loopback TCP socket with nothing to read (EAGAIN: strict ET's last read of every
 * drain), each handle linked as the server links it (buffer passed as a raw address):
 * <ul>
 *   <li>{@code readCapture}: read(2) with {@code captureCallState("errno")}: what the server does.</li>
 *   <li>{@code readPlain}: read(2) linked without capture: only "-1", no errno. The difference to
 *       {@code readCapture} is what capture costs per call.</li>
 *   <li>{@code recvCapture}: recv(fd, buf, n, 0) (the recvfrom syscall) with capture, against
 *       read(2): the other syscall name for the same receive.</li>
 *   <li>{@code pipeReadCapture}, {@code pipeReadPlain}: the same two reads on an empty non-blocking
 *       pipe, a cheaper EAGAIN, so the capture's share shows above the kernel's noise.</li>
 * </ul>
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CaptureBench {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor READ_AT = FunctionDescriptor.of(LibC.C_LONG, LibC.C_INT, LibC.C_LONG, LibC.C_LONG);
    private static final FunctionDescriptor RECV_AT = FunctionDescriptor.of(LibC.C_LONG, LibC.C_INT, LibC.C_LONG, LibC.C_LONG, LibC.C_INT);
    private static final MethodHandle READ_CAPTURE = LINKER.downcallHandle(LibC.read$address(), READ_AT,
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle READ_PLAIN = LINKER.downcallHandle(LibC.read$address(), READ_AT);
    private static final MethodHandle RECV_CAPTURE = LINKER.downcallHandle(LibC.recv$address(), RECV_AT,
            Linker.Option.captureCallState("errno"));

    private Arena arena;
    private MemorySegment cs, buf;
    private long address;
    private int listener, fd, pipeRead, pipeWrite;
    private Socket client;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        arena = Arena.ofConfined();
        cs = CallState.allocate(arena);
        buf = arena.allocate(16384, 64);
        address = buf.address();
        listener = Syscalls.socket(cs, Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0);
        SockAddrs.SockAddr any = SockAddrs.of(arena, "127.0.0.1", 0);
        if (listener < 0 || Syscalls.bind(cs, listener, any.segment(), any.length()) != 0
                || Syscalls.listen(cs, listener, 4) != 0) throw new IllegalStateException("listen");
        client = new Socket("127.0.0.1", SockAddrs.localPort(cs, listener));
        fd = Syscalls.accept4(cs, listener, MemorySegment.NULL, MemorySegment.NULL, Net.SOCK_NONBLOCK | Net.SOCK_CLOEXEC);
        if (fd < 0 || readCapture() != -Errno.EAGAIN || recvCapture() != -Errno.EAGAIN || readPlain() != -1) {
            throw new IllegalStateException("not an empty non-blocking socket");
        }
        MemorySegment fds = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT, 2);
        if (Syscalls.pipe2(cs, fds, Net.O_NONBLOCK | Net.O_CLOEXEC) != 0) throw new IllegalStateException("pipe2");
        pipeRead = fds.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 0);
        pipeWrite = fds.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, 1);
        if (pipeReadCapture() != -Errno.EAGAIN || pipeReadPlain() != -1) throw new IllegalStateException("not an empty non-blocking pipe");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        client.close();
        Syscalls.close(cs, fd);
        Syscalls.close(cs, listener);
        Syscalls.close(cs, pipeRead);
        Syscalls.close(cs, pipeWrite);
        arena.close();
    }

    @Benchmark
    public long readCapture() throws Throwable {
        long rc = (long) READ_CAPTURE.invokeExact(cs, fd, address, 16384L);
        return rc < 0 ? -CallState.errno(cs) : rc;
    }

    @Benchmark
    public long readPlain() throws Throwable {
        return (long) READ_PLAIN.invokeExact(fd, address, 16384L);
    }

    @Benchmark
    public long recvCapture() throws Throwable {
        long rc = (long) RECV_CAPTURE.invokeExact(cs, fd, address, 16384L, 0);
        return rc < 0 ? -CallState.errno(cs) : rc;
    }

    @Benchmark
    public long pipeReadCapture() throws Throwable {
        long rc = (long) READ_CAPTURE.invokeExact(cs, pipeRead, address, 16384L);
        return rc < 0 ? -CallState.errno(cs) : rc;
    }

    @Benchmark
    public long pipeReadPlain() throws Throwable {
        return (long) READ_PLAIN.invokeExact(pipeRead, address, 16384L);
    }
}
