package edgepoll.lab;

import edgepoll.config.Options;
import edgepoll.server.Server;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The timelines of docs/timelines.md, made in-process on 127.0.0.1 (a free port each), each
 * server traced with {@code --trace-format perfetto} and the traces drawn by {@link TimelineSvg}:
 * <ul>
 *   <li>{@code two-requests DIR}: the same two keep-alive requests against et and lt, each request
 *       and the close sent only once the loop sleeps in epoll_wait again ({@link #settle}), so every
 *       run shows the same calls;</li>
 *   <li>{@code uring DIR}: the same two requests against --mode uring: CQEs as slices, arrows from
 *       the io_uring_enter that submitted each SQE (not settled: the uring loop sleeps in
 *       io_uring_enter, which {@link #settle} does not look for);</li>
 *   <li>{@code et-stall DIR}: seed 001's "2 kB written, 1 kB read" against --drain naive, strict
 *       and short-read (echo, reads of 1 kB): prints what the client got and when; the naive one
 *       stalls until the client sends one more byte.</li>
 *   <li>{@code link-1mib DIR NETNS HOST}: one 1 MiB response over a link (scripts/timeline-demo makes it
 *       with scripts/lib/linklab.sh and runs this in the load's namespace), et and lt, each server a
 *       process in NETNS bound to HOST ({@link NetnsServer}); a fresh JVM, so its first calls run
 *       interpreted, which the link's milliseconds dwarf.</li>
 * </ul>
 */
public final class TimelineDemo {
    private TimelineDemo() {}

    public static void main(String[] args) throws Exception {
        boolean link = args.length == 4 && args[0].equals("link-1mib");
        if (!link && (args.length != 2 || !List.of("two-requests", "et-stall", "uring").contains(args[0]))) {
            System.err.println("usage: TimelineDemo two-requests|et-stall|uring DIR | link-1mib DIR NETNS HOST");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        if (link) linkMebibyte(dir, args[2], args[3]);
        else if (args[0].equals("two-requests")) twoRequests(dir);
        else if (args[0].equals("uring")) uring(dir);
        else etStall(dir);
    }

    private static Server start(String... flags) throws Exception {
        List<String> a = new ArrayList<>(List.of("--port", "0", "--trace-format", "perfetto"));
        a.addAll(List.of(flags));
        return Server.start(Options.parse(a.toArray(String[]::new)));
    }

    /**
     * Runs {@code exchanges} small request/response round trips against a server started with
     * {@code flags} and no trace, so the traced run that follows shows compiled code, not the
     * interpreter's first calls.
     */
    private static void warmUp(boolean http, int exchanges, String... flags) throws Exception {
        List<String> a = new ArrayList<>(List.of("--port", "0"));
        a.addAll(List.of(flags));
        Server server = Server.start(Options.parse(a.toArray(String[]::new)));
        try (Socket c = connect(server.port())) {
            c.setSoTimeout(5_000);
            byte[] req = http ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII) : new byte[100];
            for (int i = 0; i < exchanges; i++) {
                c.getOutputStream().write(req);
                if (http) readResponse(c.getInputStream());
                else c.getInputStream().readNBytes(req.length);
            }
        }
        server.stop();
        server.close();
    }

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        s.setTcpNoDelay(true);
        return s;
    }

    static void twoRequests(Path dir) throws Exception {
        List<String> panels = new ArrayList<>();
        for (String mode : List.of("et", "lt")) {
            Path trace = dir.resolve("two-requests-" + mode + ".json");
            traceTwoRequests(trace, mode);
            panels.add("--mode " + mode + ": two keep-alive GETs, then the client closes=" + trace);
        }
        render(dir.resolve("two-requests.svg"), panels);
    }

    /**
     * Waits until the loop thread sleeps in epoll_wait again (at most 2 s): so the first request, the
     * next one, or the close reaches a loop that has finished with what came before. Without it the
     * figure depends on races: under et, a request that lands between the server's send and the read
     * that drains the socket is read by that read (no EAGAIN, one wake-up for both requests); a first
     * request that lands before the loop's first wait after the accept shares the wake-up that says the
     * new socket is writable (EPOLLOUT, registered with EPOLLIN once); a close that lands with the stop
     * shares its wake-up with it.
     */
    private static void settle(int[] loop) throws Exception {
        if (!ProcProbes.awaitSettledInEpoll(loop, 2_000_000_000L)) {
            System.err.println("timeline-demo: the loop did not go back to epoll_wait within 2 s: this trace may not show the pattern of docs/timelines.md");
        }
    }

    /**
     * Waits (at most 2 s) until this process holds two more fds than {@code before}: the client's
     * socket and the one the server accepted, so the loop is past its accept. Read from /proc, not
     * from the server's live counters: asking for those wakes the loop, which the trace would show.
     */
    private static void awaitAccepted(int before) throws Exception {
        long end = System.nanoTime() + 2_000_000_000L;
        while (ProcProbes.openFds() < before + 2) {
            if (System.nanoTime() > end) throw new IllegalStateException("the server did not accept within 2 s");
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
    }

    /** A warmed-up server of {@code mode} traced into {@code trace}: two keep-alive GETs, then the client closes. */
    private static void traceTwoRequests(Path trace, String mode) throws Exception {
        boolean settles = !mode.equals("uring");
        warmUp(true, 3_000, "--mode", mode);
        Server server = start("--mode", mode, "--trace", trace.toString());
        int[] loop = server.loopThreadIds();
        int fds = ProcProbes.openFds();
        try (Socket c = connect(server.port())) {
            c.setSoTimeout(5_000);
            if (settles) {
                awaitAccepted(fds);
                settle(loop);
            }
            byte[] req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int r = 0; r < 2; r++) {
                c.getOutputStream().write(req);
                readResponse(c.getInputStream());
                if (settles) settle(loop);
            }
        }
        if (settles) settle(loop);
        server.stop();
        server.close();
    }

    /** Two keep-alive GETs against --mode uring, then the client closes: its CQEs and their submissions. */
    static void uring(Path dir) throws Exception {
        Path trace = dir.resolve("two-requests-uring.json");
        traceTwoRequests(trace, "uring");
        render(dir.resolve("two-requests-uring.svg"), List.of("--mode uring: two keep-alive GETs, then the client closes=" + trace));
    }

    static void linkMebibyte(Path dir, String netns, String host) throws Exception {
        List<String> panels = new ArrayList<>();
        for (String mode : List.of("et", "lt")) {
            Path trace = dir.resolve("link-1mib-" + mode + ".json");
            List<String> flags = List.of("--mode", mode, "--response-size", "1048576", "--trace", trace.toString(),
                    "--trace-format", "perfetto", "--trace-connections", "1");
            try (NetnsServer server = NetnsServer.start(netns, host, flags)) {
                long t0 = System.nanoTime();
                try (Socket c = new Socket()) {
                    c.connect(new InetSocketAddress(host, server.port()), 2_000);
                    c.setSoTimeout(10_000);
                    c.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    readResponse(c.getInputStream());
                }
                System.out.printf("--mode %s: 1 MiB in %.1f ms over the link%n", mode, ms(t0));
                server.stop();
            }
            panels.add("--mode " + mode + ": one 1 MiB response over the link, then the client closes=" + trace);
        }
        render(dir.resolve("link-1mib.svg"), panels);
    }

    /** Reads one hello-world response (its head ends the Content-Length body we know is short). */
    private static void readResponse(InputStream in) throws Exception {
        StringBuilder h = new StringBuilder();
        while (!h.toString().endsWith("\r\n\r\n")) h.append((char) in.read());
        int at = h.indexOf("Content-Length: ") + 16;
        int len = Integer.parseInt(h.substring(at, h.indexOf("\r\n", at)));
        in.readNBytes(len);
    }

    static void etStall(Path dir) throws Exception {
        List<String> panels = new ArrayList<>();
        for (String drain : List.of("naive", "strict", "short-read")) {
            Path trace = dir.resolve("et-stall-" + drain + ".json");
            warmUp(false, 3_000, "--mode", "et", "--drain", drain, "--protocol", "echo", "--buffer-size", "1024", "--max-header-bytes", "1024");
            Server server = start("--mode", "et", "--drain", drain, "--protocol", "echo", "--buffer-size", "1024",
                    "--max-header-bytes", "1024", "--trace", trace.toString());
            System.out.println("--drain " + drain + " (echo, reads of 1024 bytes): the client writes 2048 bytes in one write");
            try (Socket c = connect(server.port())) {
                long t0 = System.nanoTime();
                c.getOutputStream().write(new byte[2048]);
                int got = readFor(c, t0, 2048, 1_000, 0);
                if (got < 2048) {
                    System.out.printf("  %7.1f ms  stalled: %d of 2048 bytes back; the rest sits in the server's socket, no new edge comes%n",
                            ms(t0), got);
                    OutputStream out = c.getOutputStream();
                    out.write('!');
                    System.out.printf("  %7.1f ms  client sends 1 more byte (a new edge)%n", ms(t0));
                    got += readFor(c, t0, 2049 - got, 1_000, got);
                }
                System.out.printf("  total %d bytes back%n", got);
            }
            server.stop();
            server.close();
            panels.add("--drain " + drain + ": 2048 bytes written at once, reads of 1024" + (drain.equals("naive") ? " (stalls until 1 more byte)" : "") + "=" + trace);
        }
        render(dir.resolve("et-stall.svg"), panels);
    }

    /** Reads up to {@code want} bytes for at most {@code ms}, printing each arrival; returns the bytes read. */
    private static int readFor(Socket c, long t0, int want, int ms, int before) throws Exception {
        long deadline = System.nanoTime() + ms * 1_000_000L;
        byte[] buf = new byte[4096];
        int total = 0;
        while (total < want) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) break;
            c.setSoTimeout((int) left);
            try {
                int n = c.getInputStream().read(buf, 0, Math.min(buf.length, want - total));
                if (n < 0) break;
                total += n;
                System.out.printf("  %7.1f ms  got %d bytes (%d so far)%n", ms(t0), n, before + total);
            } catch (SocketTimeoutException e) {
                break;
            }
        }
        return total;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void render(Path svg, List<String> panels) throws Exception {
        List<String> a = new ArrayList<>(List.of(svg.toString()));
        a.addAll(panels);
        TimelineSvg.main(a.toArray(String[]::new));
    }
}
