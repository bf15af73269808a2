package edgepoll.cli;

import edgepoll.config.Flags;
import edgepoll.sys.CallState;
import edgepoll.sys.Errno;
import edgepoll.sys.Net;
import edgepoll.sys.SockAddrs;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.sys.TimeVal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code java -jar edgepoll.jar client [--host H] [--port P]}: the seeds' interactive client, over
 * edgepoll's own syscalls (socket, connect, send, read on a blocking socket). Each line read from
 * stdin is sent with its newline; the reply, as many bytes as were sent (the echo protocol's
 * upper-cased copy), is printed. Works with a pipe as well as a terminal: {@code printf 'a\nb\n' |
 * java -jar edgepoll.jar client} prints {@code A} and {@code B}. Exit 0 at end of input, 1 if the
 * server goes away, 2 for a bad flag.
 *
 * <p>Pointed at an HTTP server by mistake, it says so instead of hanging silently: a reply that
 * begins like an HTTP status line ends it (exit 1), and a reply that takes longer than
 * {@link #HINT_MS} brings one line on stderr saying that this client speaks the echo protocol
 * (an HTTP server waits for a whole request head, which a line is not).
 */
public final class Client {
    private Client() {}

    /** How long a reply may take before the client says what it is waiting for. */
    static final long HINT_MS = 2_000;

    static int run(String[] args, PrintStream out) throws Exception {
        String host = "127.0.0.1";
        int port = 8080;
        Flags f = new Flags(args);
        while (f.hasNext()) {
            String flag = f.next();
            switch (flag) {
                case "--host" -> host = f.value();
                case "--port" -> port = f.intValue(1, 65535);
                default -> throw new IllegalArgumentException("client: unknown option: " + flag + " (client takes --host and --port)");
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            SockAddrs.SockAddr addr = SockAddrs.of(arena, host, port);
            int fd = SyscallException.check("socket", Syscalls.socket(cs, addr.family(), Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0));
            try {
                SyscallException.check("cannot connect to " + host + ":" + port, Syscalls.connect(cs, fd, addr.segment(), addr.length()));
                System.err.println("edgepoll client: connected to " + host + ":" + port + "; each line you type is sent, the reply printed");
                MemorySegment tv = TimeVal.allocate(arena);
                TimeVal.set(tv, HINT_MS);
                SyscallException.check("setsockopt(SO_RCVTIMEO)", Syscalls.setsockopt(cs, fd, Net.SOL_SOCKET, Net.SO_RCVTIMEO, tv, (int) tv.byteSize()));
                boolean hinted = false;
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                MemorySegment buf = arena.allocate(1 << 16);
                for (String line; (line = in.readLine()) != null; ) {
                    byte[] msg = (line + "\n").getBytes(StandardCharsets.UTF_8);
                    MemorySegment m = arena.allocate(msg.length);
                    m.copyFrom(MemorySegment.ofArray(msg));
                    for (long sent = 0; sent < msg.length; ) {
                        long n = Syscalls.send(cs, fd, m.asSlice(sent), msg.length - sent, Net.MSG_NOSIGNAL);
                        if (n < 0 && n != -Errno.EINTR) throw new SyscallException("send", (int) -n);
                        if (n > 0) sent += n;
                    }
                    byte[] reply = new byte[msg.length];
                    for (int got = 0; got < reply.length; ) {
                        long n = Syscalls.read(cs, fd, buf, Math.min(buf.byteSize(), reply.length - got));
                        if (n == 0) throw new SyscallException("read: server closed the connection", Errno.ECONNRESET);
                        if (n == -Errno.EAGAIN) {  // SO_RCVTIMEO: no reply yet
                            if (!hinted) {
                                hinted = true;
                                System.err.println("edgepoll client: no reply after " + HINT_MS / 1000 + " s; this client speaks the echo"
                                        + " protocol (start the server with --protocol echo); an HTTP server waits for a whole request head");
                            }
                            continue;
                        }
                        if (n < 0 && n != -Errno.EINTR) throw new SyscallException("read", (int) -n);
                        if (n > 0) {
                            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, reply, got, (int) n);
                            got += (int) n;
                        }
                    }
                    String text = new String(reply, StandardCharsets.UTF_8);
                    if (text.startsWith("HTTP/1.") || text.startsWith("HTTP/2")) {
                        System.err.println("edgepoll client: the server answered with HTTP (" + text.lines().findFirst().orElse("").strip()
                                + "); this client speaks the echo protocol: start the server with --protocol echo");
                        return 1;
                    }
                    out.print(text);
                    out.flush();
                }
                return 0;
            } finally {
                Syscalls.close(cs, fd);
            }
        }
    }
}
