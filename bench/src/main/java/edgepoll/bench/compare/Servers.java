package edgepoll.bench.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The servers the comparison runs, each as its own process pinned to the server CPU, one event loop
 * (or nginx worker) each, listening on the address the load targets ({@link LoadSide#host}: loopback,
 * or over a link the server end's, in the namespace the harness itself runs in). JVM servers all get
 * the same JVM flags; nginx runs with {@code master_process off}, so its one process is its one worker
 * and /proc of that pid is all the CPU it spends.
 */
final class Servers {
    private Servers() {}

    /**
     * A server of the comparison; {@code echo} tells whether it speaks the echo protocol. What each one
     * is: README, "Side by side"; edgepoll-et-short-read's ET drain ends at a short read, as Netty's
     * (4.1) does. The c-* servers are {@link CFloor}, one per edgepoll drain policy.
     */
    record Spec(String name, String family, boolean echo) {}

    static final List<Spec> ALL = List.of(
            new Spec("edgepoll-et", "edgepoll", true),
            new Spec("edgepoll-et-bis", "edgepoll", true),
            new Spec("edgepoll-et-short-read", "edgepoll", true),
            new Spec("edgepoll-lt", "edgepoll", true),
            new Spec("c-et", "c", true),
            new Spec("c-et-bis", "c", true),
            new Spec("c-et-short-read", "c", true),
            new Spec("c-lt", "c", true),
            new Spec("edgepoll-uring", "edgepoll", true),
            new Spec("edgepoll-uring-sqpoll", "edgepoll", true),
            new Spec("netty-et", "netty", true),
            new Spec("netty-lt", "netty", true),
            new Spec("netty-uring", "netty-uring", true),
            new Spec("nio", "nio", true),
            new Spec("nginx", "nginx", false));

    /**
     * The A/A calibration (issue 22): a server started a second time under another name, the same
     * binary and flags. Its ratio to the first must come out "no detectable difference"; one that does not
     * measures the harness's own error, and the report marks the run untrustworthy.
     */
    static final String TWIN = "-bis";

    /** The server a {@code -bis} twin is a second copy of; the name itself otherwise. */
    static String original(String name) {
        return name.endsWith(TWIN) ? name.substring(0, name.length() - TWIN.length()) : name;
    }

    static Spec byName(String name) {
        for (Spec s : ALL) if (s.name.equals(name)) return s;
        throw new IllegalArgumentException("unknown server: " + name + " (known: " + names() + ")");
    }

    static String names() {
        StringBuilder b = new StringBuilder();
        for (Spec s : ALL) b.append(b.isEmpty() ? "" : ",").append(s.name);
        return b.toString();
    }

    /** A started server: its pid (the process itself, taskset execs), port and output files. */
    static final class Running implements AutoCloseable {
        final Spec spec;
        final Process process;
        final int port;
        final Path dir;

        Running(Spec spec, Process process, int port, Path dir) {
            this.spec = spec;
            this.process = process;
            this.port = port;
            this.dir = dir;
        }

        long pid() {
            return process.pid();
        }

        /**
         * The process's exact CPU time in ns: the kernel's run time of every thread
         * (/proc/PID/task/TID/schedstat, first field: sum_exec_runtime, counted at each context switch and tick
         * from the scheduler clock, not sampled), summed. A thread that ended between two reads drops out
         * of the second; the servers measured here start no threads while they serve.
         */
        long runNanos() throws IOException {
            return overThreads("schedstat", s -> Long.parseLong(s.substring(0, s.indexOf(' '))));
        }

        /**
         * {@code f} of /proc/PID/task/TID/{@code file}, summed over the process's threads; a thread that
         * ended while they were read counts nothing.
         */
        private long overThreads(String file, java.util.function.ToLongFunction<String> f) throws IOException {
            long sum = 0;
            try (java.util.stream.Stream<Path> ts = Files.list(Path.of("/proc/" + pid() + "/task"))) {
                for (Path t : (Iterable<Path>) ts::iterator) {
                    String text;
                    try {
                        text = Files.readString(t.resolve(file));
                    } catch (IOException gone) {
                        continue;  // the thread ended
                    }
                    sum += f.applyAsLong(text);
                }
            }
            return sum;
        }

        /** {utime, stime} of the whole process (every thread), in clock ticks: fields 14 and 15 of proc_pid_stat(5). */
        long[] cpuTicks() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        }

        /**
         * utime, in clock ticks, of the JVM's own threads (the JIT compilers, the GC workers,
         * the VM thread: by their names in /proc/PID/task/TID/comm), so that a report can say how much
         * of a Java server's CPU in a window was the runtime's rather than the serving threads'. A
         * thread that ended between the two reads drops out of the second: that only lowers the
         * figure. 0 for a process without such threads (C, nginx).
         */
        long runtimeTicks() throws IOException {
            return overThreads("stat", stat -> {
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                if (!RUNTIME_THREAD.matcher(stat.substring(open + 1, close)).lookingAt()) return 0;
                // their stime is a few ticks: the user split is what it corrects
                return Long.parseLong(stat.substring(close + 2).split(" ")[11]);
            });
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();  // SIGTERM: every server here exits on it
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** bench-uring/target/netty-uring-peer.jar, next to the bench module that holds benchmarks.jar. */
    static Path nettyUringJar(Config cfg) {
        return cfg.benchJar().toAbsolutePath().getParent().getParent().getParent().resolve("bench-uring/target/netty-uring-peer.jar");
    }

    /** HotSpot's names for its compiler, GC and VM threads (truncated to 15 characters by the kernel). */
    static final Pattern RUNTIME_THREAD = Pattern.compile("C[12] CompilerThre|GC Thread|G1 |VM Thread|VM Periodic");

    private static final Pattern LISTENING = Pattern.compile("listening on .*:(\\d+)");

    static Running start(Spec spec, String protocol, Config cfg, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(cfg.pinServer());
        int nginxPort = -1;
        String bind = cfg.load().host();
        switch (spec.family) {
            case "edgepoll" -> {
                cmd.addAll(cfg.jvm());
                // --nodelay: every peer sets TCP_NODELAY (nginx's tcp_nodelay is on for keep-alive)
                cmd.addAll(List.of("-jar", cfg.edgepollJar().toString(), "--bind", bind, "--port", "0", "--protocol", protocol,
                        "--backlog", "1024", "--nodelay"));
                switch (original(spec.name)) {
                    case "edgepoll-et" -> cmd.addAll(List.of("--mode", "et"));
                    case "edgepoll-et-short-read" -> cmd.addAll(List.of("--mode", "et", "--drain", "short-read"));
                    case "edgepoll-lt" -> cmd.addAll(List.of("--mode", "lt"));
                    case "edgepoll-uring" -> cmd.addAll(List.of("--mode", "uring"));
                    case "edgepoll-uring-sqpoll" -> cmd.addAll(List.of("--mode", "uring", "--sqpoll"));
                    default -> throw new IllegalStateException(spec.name);
                }
                if (protocol.equals("echo")) cmd.addAll(List.of("--stats-json", dir.resolve("stats.json").toString()));
            }
            case "netty" -> {
                cmd.addAll(cfg.jvm());
                // Netty 4.1 reaches direct memory through sun.misc.Unsafe, which JDK 24+ warns about on stderr
                if (Runtime.version().feature() >= 24) cmd.add("--sun-misc-unsafe-memory-access=allow");
                cmd.addAll(List.of("-cp", cfg.benchJar().toString(), "edgepoll.bench.peers.NettyServer",
                        "--bind", bind, "--port", "0", "--protocol", protocol, "--mode", spec.name.endsWith("-et") ? "et" : "lt"));
            }
            case "netty-uring" -> {  // Netty 4.2's io_uring transport: its own jar (bench-uring), not benchmarks.jar's Netty 4.1
                cmd.addAll(cfg.jvm());
                if (Runtime.version().feature() >= 24) cmd.add("--sun-misc-unsafe-memory-access=allow");
                cmd.addAll(List.of("-jar", nettyUringJar(cfg).toString(), "--bind", bind, "--port", "0", "--protocol", protocol));
            }
            case "nio" -> {
                cmd.addAll(cfg.jvm());
                cmd.addAll(List.of("-cp", cfg.benchJar().toString(), "edgepoll.bench.peers.NioServer",
                        "--bind", bind, "--port", "0", "--protocol", protocol));
            }
            case "c" -> {
                cmd.addAll(List.of(cfg.cfloor().toString(), "--bind", bind, "--port", "0", "--protocol", protocol, "--backlog", "1024"));
                cmd.addAll(CFloor.policyArgs(spec.name));
            }
            case "nginx" -> {
                nginxPort = freePort(bind);
                Path conf = writeNginxConf(dir, bind, nginxPort);
                cmd.addAll(List.of(cfg.nginx(), "-p", dir.toString(), "-c", conf.toString()));
            }
            default -> throw new IllegalStateException(spec.family);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(dir.resolve("stderr-" + protocol + ".txt").toFile());
        if (nginxPort > 0) pb.redirectOutput(dir.resolve("stdout-" + protocol + ".txt").toFile());
        Process p = pb.start();
        int port = nginxPort > 0 ? awaitConnectable(p, bind, nginxPort, dir) : awaitListeningLine(p, spec, dir);
        return new Running(spec, p, port, dir);
    }

    private static int awaitListeningLine(Process p, Spec spec, Path dir) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();  // the first line; the server prints it once it accepts
        Matcher m = line == null ? null : LISTENING.matcher(line);
        if (m == null || !m.find()) {
            p.destroyForcibly();
            throw new IOException(spec.name + " did not start (first line: " + line + "); see " + dir);
        }
        // Drain the rest of stdout so a chatty server never blocks on a full pipe.
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) { /* discard */ }
            } catch (IOException ignored) {
                // the server exited
            }
        });
        return Integer.parseInt(m.group(1));
    }

    private static int awaitConnectable(Process p, String host, int port, Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IOException("nginx exited with " + p.exitValue() + "; see " + dir);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return port;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("nginx did not accept on port " + port + " within 10 s; see " + dir);
    }

    /** A port free on {@code host}, in the harness's network namespace (the servers'). */
    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /**
     * nginx as the comparison runs it: one process that is its worker (master_process off), no
     * access log, keep-alive without a request limit (its default, 1,000, would close wrk's
     * connections mid-run), and the seed's body from {@code return 200}.
     */
    private static Path writeNginxConf(Path dir, String host, int port) throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        String conf = """
                worker_processes 1;
                master_process off;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 4096; use epoll; }
                http {
                    access_log off;
                    server_tokens off;
                    keepalive_requests 1000000000;
                    keepalive_timeout 300s;
                    client_body_temp_path %1$s/tmp;
                    server {
                        listen %3$s:%2$d backlog=1024;
                        location / {
                            default_type text/plain;
                            return 200 "Hello, world!";
                        }
                    }
                }
                """.formatted(dir, port, host);
        Path p = dir.resolve("nginx.conf");
        Files.writeString(p, conf);
        return p;
    }
}
