package edgepoll.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the experiments read about this process from /proc: a thread's voluntary context switches, the open fds. */
final class ProcProbes {
    private ProcProbes() {}

    /** The thread's voluntary context switches: each is one sleep (here: in epoll_wait) that later ended in a wake-up. */
    static long voluntarySwitches(int tid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
            if (l.startsWith("voluntary_ctxt_switches:")) return Long.parseLong(l.substring(24).strip());
        }
        return 0;
    }

    static int openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    /** Whether the fd count is back at {@code before} within 2 s (client sockets close asynchronously to nothing here, but GC-less). */
    static boolean awaitFds(int before) throws Exception {
        long end = System.nanoTime() + 2_000_000_000L;
        while (openFds() > before) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }
}
