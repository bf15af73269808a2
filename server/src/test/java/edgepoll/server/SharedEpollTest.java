package edgepoll.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.ServerHandle;
import edgepoll.stats.Stats;
import edgepoll.stats.SyscallCounters;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * --shared-epoll: four threads on ONE epoll instance, echo clients writing in small pieces so that
 * a connection gets new edges while a thread is still draining it. With plain EPOLLET a second
 * thread is handed the same connection at the same time (the slot's owner word detects it: an
 * owner collision, counted, not a crash); with EPOLLET|EPOLLONESHOT never. Both stay correct: every
 * byte comes back upper-cased, in order, and every fd is closed at stop (ServerHandle's check).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedEpollTest {
    static final int CLIENTS = 8;

    @Test
    void withoutOneshotTwoThreadsHandleOneConnectionAtOnce() throws Exception {
        long collisions = 0;
        for (int round = 0; round < 10 && collisions == 0; round++) {  // bounded: it shows within one round here
            collisions = run("plain", 1_000).ownerCollisions();
        }
        assertTrue(collisions > 0, "no owner collision in 10 rounds of 1 s with plain EPOLLET on a shared epoll");
    }

    @Test
    void withOneshotNeverAndEveryByteComesBack() throws Exception {
        SyscallCounters c = run("oneshot", 1_500);
        assertEquals(0, c.ownerCollisions(), "owner collisions with EPOLLONESHOT");
        assertTrue(c.calls(edgepoll.stats.Sys.EPOLL_CTL_MOD) > 0, "re-armed with epoll_ctl(MOD)");
    }

    /** {@code CLIENTS} echo clients for {@code ms}; returns the server's summed counters. */
    static SyscallCounters run(String sharedEpoll, long ms) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong bytes = new AtomicLong();
        Stats stats;
        try (ServerHandle s = ServerHandle.start("et", "--loops", "4", "--shared-epoll", sharedEpoll, "--protocol", "echo")) {
            long end = System.nanoTime() + ms * 1_000_000;
            List<Thread> ts = new ArrayList<>();
            for (int k = 0; k < CLIENTS; k++) {
                int id = k;
                ts.add(Thread.ofPlatform().start(() -> {
                    try (Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
                        c.setTcpNoDelay(true);
                        c.setSoTimeout(5_000);
                        OutputStream out = c.getOutputStream();
                        InputStream in = c.getInputStream();
                        byte[] piece = new byte[32];
                        byte[] expected = new byte[4 * piece.length];
                        for (long n = 0; System.nanoTime() < end; n++) {
                            for (int p = 0; p < 4; p++) {  // four writes: four chances of an edge during a drain
                                for (int i = 0; i < piece.length; i++) piece[i] = (byte) ('a' + (n + p + i + id) % 26);
                                out.write(piece);
                                for (int i = 0; i < piece.length; i++) expected[p * piece.length + i] = (byte) (piece[i] - 32);
                            }
                            byte[] got = in.readNBytes(expected.length);
                            if (!Arrays.equals(expected, got)) throw new AssertionError("client " + id + ": echo differs at round " + n);
                            bytes.addAndGet(got.length);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : ts) t.join(30_000);
            stats = s.stop();
        }
        if (failure.get() != null) {
            throw new AssertionError("a client failed; server: " + stats.table() + stats.toJson().lines()
                    .filter(l -> l.contains("\"total\"")).findFirst().orElse(""), failure.get());
        }
        assertTrue(bytes.get() > 0, "no bytes echoed");
        return stats.total();
    }
}
