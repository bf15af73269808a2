package edgepoll.lab;

import edgepoll.config.Options;
import edgepoll.server.Server;
import edgepoll.stats.Sys;
import edgepoll.stats.SyscallCounters;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code scripts/syscalls-et-vs-lt}: one fixed set of workloads against et, et+short-read, lt, and
 * the completion-based uring mode without and with SQPOLL (skipped, with the reason, where the
 * kernel refuses io_uring),
 * each on a fresh in-process server, and one table of the per-request ratios from the server's own
 * counters. Workloads are fixed request counts, not durations, so the ratios do not depend on how
 * fast this machine is; the clients are blocking java.net sockets in one thread, in lock step.
 */
public final class SyscallComparison {
    private SyscallComparison() {}

    record Workload(String name, String[] flags, int connections, int rounds, int depth, int echoBytes) {
        long requests() {
            return (long) connections * rounds * depth;
        }
    }

    static final List<Workload> WORKLOADS = List.of(
            new Workload("keep-alive", new String[0], 8, 1500, 1, 0),
            new Workload("pipelined-16", new String[0], 8, 150, 16, 0),
            new Workload("1MiB-responses", new String[] {"--response-size", "1048576"}, 4, 25, 1, 0),
            new Workload("echo-1KiB", new String[] {"--protocol", "echo"}, 8, 1000, 1, 1024));
    static final String[] VARIANTS = {"et", "et-short-read", "lt", "uring", "uring-sqpoll"};

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            LinkComparison.main(args);
            return;
        }
        for (String r : table(WORKLOADS)) System.out.println(r);
    }

    /**
     * The table's lines, the two header lines first, one row per workload and variant in this order
     * (uring rows left out, saying why on stderr, where the kernel refuses io_uring); progress goes to
     * stderr. {@code main} prints it for {@link #WORKLOADS}; a test runs it for smaller workloads to
     * compare the docs' copies of the table with its shape.
     */
    static List<String> table(List<Workload> workloads) throws Exception {
        long start = System.nanoTime();
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "%-15s %-14s %9s %10s %10s %9s %9s %10s %10s %11s %10s %9s",
                "workload", "mode", "requests", "syscalls", "epoll_wait", "events", "reads", "EAGAIN", "epoll_ctl", "bytes", "uring", "CQEs"));
        rows.add(String.format(Locale.ROOT, "%-15s %-14s %9s %10s %10s %9s %9s %10s %10s %11s %10s %9s",
                "", "", "", "/request", "/request", "/wakeup", "/request", "/request", "/request", "/write", "enter/req", "/enter"));
        String refusal = uringRefusal();
        if (refusal != null) System.err.println("syscalls-et-vs-lt: uring and uring-sqpoll not run: " + refusal);
        int done = 0, total = workloads.size() * VARIANTS.length;
        for (Workload w : workloads) {
            for (String v : VARIANTS) {
                if (refusal != null && v.startsWith("uring")) continue;
                System.err.printf(Locale.ROOT, "\r[%2d/%d] %-15s %-14s %5.1f s", ++done, total, w.name, v, (System.nanoTime() - start) / 1e9);
                SyscallCounters c = run(w, v);
                rows.add(row(w, v, c));
            }
        }
        System.err.printf(Locale.ROOT, "\rdone in %.1f s%40s%n", (System.nanoTime() - start) / 1e9, "");
        return rows;
    }

    /** Why this kernel refuses the uring variants, or null when it runs them. */
    static String uringRefusal() {
        try {
            edgepoll.uring.UringLoop.checkAvailable();
            return null;
        } catch (edgepoll.sys.SyscallException e) {
            return e.getMessage();
        }
    }

    private static String row(Workload w, String variant, SyscallCounters c) {
        double req = w.requests();
        long eagain = 0;
        for (Sys s : Sys.ALL) eagain += c.eagain(s);
        long ctl = c.calls(Sys.EPOLL_CTL_ADD) + c.calls(Sys.EPOLL_CTL_MOD) + c.calls(Sys.EPOLL_CTL_DEL);
        long writes = c.calls(Sys.SEND) - c.eagain(Sys.SEND);
        long enters = c.calls(Sys.IO_URING_ENTER);
        if (enters > 0) {  // a ring send is not a write syscall: bytes per send CQE
            writes = c.cqes(edgepoll.stats.UringOp.SEND);
        }
        return String.format(Locale.ROOT, "%-15s %-14s %9d %10.2f %10.3f %9.2f %9.2f %10.2f %10.3f %11.0f %10.3f %9.2f",
                w.name, variant, (long) req, c.totalCalls() / req, c.calls(Sys.EPOLL_WAIT) / req,
                c.calls(Sys.EPOLL_WAIT) == 0 ? 0.0 : (double) c.events() / c.calls(Sys.EPOLL_WAIT),
                c.calls(Sys.READ) / req, eagain / req, ctl / req, writes == 0 ? 0.0 : (double) c.bytesOut() / writes,
                enters / req, enters == 0 ? 0.0 : (double) c.totalCqes() / enters);
    }

    static SyscallCounters run(Workload w, String variant) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        args.addAll(flags(w, variant));
        Server server = Server.start(Options.parse(args.toArray(String[]::new)));
        try {
            drive(w, "127.0.0.1", server.port());
            Thread.sleep(100);  // the loop sees every FIN and closes before it is stopped
            return server.stop().total();
        } finally {
            server.close();
        }
    }

    /** The server flags of a variant (et, et-short-read, lt, uring, uring-sqpoll) and a workload. */
    static List<String> flags(Workload w, String variant) {
        String mode = variant.startsWith("et") ? "et" : variant.startsWith("uring") ? "uring" : "lt";
        List<String> args = new ArrayList<>(List.of("--mode", mode));
        if (variant.equals("et-short-read")) args.addAll(List.of("--drain", "short-read"));
        if (variant.equals("uring-sqpoll")) args.add("--sqpoll");
        args.addAll(List.of(w.flags));
        return args;
    }

    /** The workload's fixed exchanges against host:port, in lock step, then every connection closed. */
    static void drive(Workload w, String host, int port) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < w.connections; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            sockets.add(s);
        }
        byte[] request = (w.echoBytes > 0 ? "x".repeat(w.echoBytes) : "GET / HTTP/1.1\r\nHost: edgepoll\r\n\r\n".repeat(w.depth))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] buf = new byte[1 << 16];
        for (int r = 0; r < w.rounds; r++) {
            for (Socket s : sockets) s.getOutputStream().write(request);
            for (Socket s : sockets) {
                if (w.echoBytes > 0) {
                    readFully(s.getInputStream(), buf, w.echoBytes);
                } else {
                    for (int k = 0; k < w.depth; k++) readResponse(s.getInputStream(), buf);
                }
            }
        }
        for (Socket s : sockets) s.close();
    }

    private static void readFully(InputStream in, byte[] buf, int n) throws IOException {
        for (int got = 0; got < n; ) {
            int k = in.read(buf, 0, Math.min(buf.length, n - got));
            if (k < 0) throw new IOException("server closed early");
            got += k;
        }
    }

    /** Reads one response: the head byte by byte up to CRLF CRLF, then Content-Length bytes. */
    private static void readResponse(InputStream in, byte[] buf) throws IOException {
        int state = 0;
        StringBuilder head = new StringBuilder();
        while (state < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("server closed early");
            head.append((char) b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
        }
        int i = head.indexOf("Content-Length: ");
        long length = Long.parseLong(head.substring(i + 16, head.indexOf("\r", i)));
        for (long left = length; left > 0; ) {
            int k = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (k < 0) throw new IOException("server closed early");
            left -= k;
        }
    }
}
