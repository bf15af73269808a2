package edgepoll.bench.jmh;

import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.Net;
import edgepoll.sys.Syscalls;
import edgepoll.sys.gen.LibC;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventArray;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
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
 * What one call costs from Java, kernel included, with nothing to do in the kernel: an
 * {@code epoll_wait} with timeout 0 on an empty epoll set, and a {@code read} of an empty
 * non-blocking pipe (EAGAIN). Four paths:
 * <ul>
 *   <li>{@code ffm*}: edgepoll's {@link Syscalls}, the handles the server uses: FFM downcalls linked
 *       with {@code Linker.Option.captureCallState("errno")} only. errno has to be captured inside the
 *       downcall (the JVM may run code that changes errno between the call and any later read of it);
 *       the capture costs a few ns (the stub writes errno into the caller's segment).</li>
 *   <li>{@code ffmCritical*}: the same C functions linked with {@code captureCallState("errno")} and
 *       {@code Linker.Option.critical(false)}: no thread-state transition to native and back (and no
 *       safepoint poll on return). The JDK allows it only for calls that cannot block and are short:
 *       the server does not use it, because a read or send on a socket can take a long time in the
 *       kernel (a 1 MiB send, softirq work) during which a GC safepoint would have to wait.</li>
 *   <li>{@code jdk*}: the JDK's own JNI path: {@code Pipe.SourceChannel.read} (non-blocking) and
 *       {@code Selector.selectNow()} on an empty selector (epoll_wait through sun.nio.ch's JNI, plus
 *       the selector's Java bookkeeping and lock).</li>
 *   <li>{@code netty*}: Netty 4.1's JNI: {@code FileDescriptor.readAddress} on a non-blocking pipe
 *       and {@code Native.epollWait} with a zero timeout, as Netty's event loop calls them.</li>
 * </ul>
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DowncallBench {
    private Arena arena;
    private MemorySegment cs;
    private MemorySegment buf;
    private EpollEvents events;
    private int epfd, pipeRead, pipeWrite;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle READ_CRITICAL = LINKER.downcallHandle(LibC.read$address(), LibC.read$descriptor(),
            Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
    private static final MethodHandle EPOLL_WAIT_CRITICAL = LINKER.downcallHandle(LibC.epoll_wait$address(),
            LibC.epoll_wait$descriptor(), Linker.Option.captureCallState("errno"), Linker.Option.critical(false));

    private Pipe jdkPipe;
    private ByteBuffer jdkBuf;
    private Selector selector;

    private FileDescriptor nettyEpoll, nettyTimer, nettyRead, nettyWrite;
    private EpollEventArray nettyEvents;
    private ByteBuffer nettyBuf;
    private long nettyBufAddress;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        arena = Arena.ofConfined();
        cs = CallState.allocate(arena);
        buf = arena.allocate(64);
        events = new EpollEvents(arena, 16);
        epfd = Syscalls.epollCreate1(cs, LibC.EPOLL_CLOEXEC());
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        if (epfd < 0 || Syscalls.pipe2(cs, fds, Net.O_NONBLOCK | Net.O_CLOEXEC) != 0) throw new IllegalStateException("setup");
        pipeRead = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        pipeWrite = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        if (Syscalls.read(cs, pipeRead, buf, 64) != -Errno.EAGAIN) throw new IllegalStateException("the pipe is not empty and non-blocking");

        jdkPipe = Pipe.open();
        jdkPipe.source().configureBlocking(false);
        jdkBuf = ByteBuffer.allocateDirect(64);
        selector = Selector.open();

        Epoll.ensureAvailability();
        nettyEpoll = Native.newEpollCreate();
        nettyTimer = Native.newTimerFd();
        nettyEvents = newNettyEventArray(16);
        FileDescriptor[] p = FileDescriptor.pipe();
        nettyRead = p[0];
        nettyWrite = p[1];
        nettyBuf = ByteBuffer.allocateDirect(64);
        nettyBufAddress = io.netty.channel.unix.Buffer.memoryAddress(nettyBuf);
        if (nettyRead.readAddress(nettyBufAddress, 0, 64) != 0) throw new IllegalStateException("Netty's pipe is not non-blocking");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Syscalls.close(cs, epfd);
        Syscalls.close(cs, pipeRead);
        Syscalls.close(cs, pipeWrite);
        arena.close();
        jdkPipe.source().close();
        jdkPipe.sink().close();
        selector.close();
        freeNettyEventArray(nettyEvents);
        nettyEpoll.close();
        nettyTimer.close();
        nettyRead.close();
        nettyWrite.close();
    }

    /*
     * Netty's EpollEventArray is a public class with a package-private constructor and free(): only
     * Netty's own event loop makes one, yet its public Native.epollWait takes one. The benchmark calls
     * epollWait exactly as that loop does, so it makes and frees the array by reflection (the class
     * path is the unnamed module, which opens every package). Setup and teardown only: the measured
     * nettyEpollWait is a plain call of the public method.
     */
    private static EpollEventArray newNettyEventArray(int length) throws ReflectiveOperationException {
        Constructor<EpollEventArray> c = EpollEventArray.class.getDeclaredConstructor(int.class);
        c.setAccessible(true);
        return c.newInstance(length);
    }

    private static void freeNettyEventArray(EpollEventArray array) throws ReflectiveOperationException {
        Method free = EpollEventArray.class.getDeclaredMethod("free");
        free.setAccessible(true);
        free.invoke(array);
    }

    @Benchmark
    public int ffmEpollWait() {
        return Syscalls.epollWait(cs, epfd, events.segment(), 16, 0);
    }

    @Benchmark
    public long ffmReadEagain() {
        return Syscalls.read(cs, pipeRead, buf, 64);
    }

    @Benchmark
    public int ffmCriticalEpollWait() throws Throwable {
        int rc = (int) EPOLL_WAIT_CRITICAL.invokeExact(cs, epfd, events.segment(), 16, 0);
        return rc < 0 ? -CallState.errno(cs) : rc;
    }

    @Benchmark
    public long ffmCriticalReadEagain() throws Throwable {
        long rc = (long) READ_CRITICAL.invokeExact(cs, pipeRead, buf, 64L);
        return rc < 0 ? -CallState.errno(cs) : rc;
    }

    @Benchmark
    public int jdkReadEagain() throws Exception {
        jdkBuf.clear();
        return jdkPipe.source().read(jdkBuf);
    }

    @Benchmark
    public int jdkSelectNow() throws Exception {
        return selector.selectNow();
    }

    @Benchmark
    public int nettyEpollWait() throws Exception {
        return Native.epollWait(nettyEpoll, nettyEvents, nettyTimer, 0, 0);
    }

    @Benchmark
    public int nettyReadEagain() throws Exception {
        return nettyRead.readAddress(nettyBufAddress, 0, 64);
    }
}
