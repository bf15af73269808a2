package edgepoll.bench.jmh;

import edgepoll.config.Options;
import edgepoll.proto.Exchange;
import edgepoll.proto.Protocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What answering one buffered request costs in Java alone: {@code HttpProtocol.process} on a head
 * already in the connection's input buffer, as the loop calls it after a read, with the reply
 * copied into the output buffer (no syscall). {@code wrk} is the head wrk sends
 * ({@code GET / HTTP/1.1} and a Host header); {@code browser} a longer one with eight headers.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeadParseBench {
    @Param({"wrk", "browser"})
    public String head;

    private Arena arena;
    private Protocol http;
    private Exchange c;
    private int length;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        http = Protocol.create(arena, Options.defaults(), null, false);
        String text = switch (head) {
            case "wrk" -> "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
            default -> "GET /index.html?q=edgepoll HTTP/1.1\r\nHost: localhost:8080\r\n"
                    + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                    + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
                    + "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
                    + "Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\nCache-Control: max-age=0\r\n\r\n";
        };
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        length = bytes.length;
        c = new Exchange();
        c.in = arena.allocate(16384, 64);
        c.out = arena.allocate(16384, 64);
        MemorySegment.copy(bytes, 0, c.in, ValueLayout.JAVA_BYTE, 0, length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int process() {
        c.inPos = 0;
        c.inLen = length;
        c.outPos = c.outLen = 0;
        int served = http.process(c);
        if (served != 1 || c.inPos != length) throw new IllegalStateException("not one request: " + served);
        return c.outLen;
    }
}
