package edgepoll.server.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Await;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerProcess;
import edgepoll.server.testkit.TcpSockets;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A loop that paused accepting at the fd limit must stay stopped once a stop began (issue 24): a
 * connection of its own that closed during the drain resumed the listener (the stopping Acceptor
 * lacked the guard the uring one has, and a pause that ran out left "paused for fds" set), and a
 * client connecting during the drain was accepted and served by a loop that was stopping.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FdLimitStopTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"et", "lt"})
    void aLoopPausedForFdsAcceptsNothingOnceStopping(String mode) throws Exception {
        FdLimitStrategiesTest.assumePrlimit("FdLimitStopTest");
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--nofile=128:128"));
        // 32 MiB replies: a client that does not read keeps the stopping loop in its 1 s drain.
        cmd.addAll(ServerProcess.command("--port", "0", "--mode", mode, "--response-size", Integer.toString(32 << 20)));
        Process server = new ProcessBuilder(cmd).redirectError(tmp.resolve("err").toFile()).start();
        List<Socket> idle = new ArrayList<>();
        List<AutoCloseable> others = new ArrayList<>();
        try {
            int port = ServerProcess.port(new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream())).readLine());
            RawClient slowA = new RawClient(port, 10_000), slowB = new RawClient(port, 10_000);
            others.add(slowA);
            others.add(slowB);
            slowA.send("GET / HTTP/1.1\r\n\r\n");
            slowB.send("GET / HTTP/1.1\r\n\r\n");
            // Past the fd limit with idle connections: the loop meets EMFILE, sheds the excess, pauses.
            for (int i = 0; i < 200; i++) idle.add(new Socket("127.0.0.1", port));
            Await.until(20_000, "the loop to shed at the fd limit and empty its accept queue",
                    () -> closedByServer(idle, port) > 0 && TcpSockets.listener(port).rxQueue() == 0 ? true : null);

            server.destroy();  // SIGTERM: the quiet connections close, slowA and slowB hold the drain
            // The drain lasts 1 s from here: wait on a socket (the first idle client, accepted before
            // the limit), not on /proc/net/tcp, which a loaded machine's TIME_WAITs make slow to read.
            Socket firstIdle = idle.get(0);
            firstIdle.setSoTimeout(10_000);
            assertEquals(-1, firstIdle.getInputStream().read(), "the stopping loop closed an idle connection");
            slowB.close();  // one of the loop's own connections closes during the drain: fds come free
            RawClient late;
            try {
                late = new RawClient(port, 5_000);
            } catch (java.net.ConnectException refused) {
                throw new AssertionError(mode + ": the listener closed before the drain ended; server stderr:\n"
                        + Files.readString(tmp.resolve("err")), refused);
            }
            others.add(late);
            late.send("GET / HTTP/1.1\r\n\r\n");
            boolean served;
            try {
                served = late.readResponse(false).status() == 200;
            } catch (SocketTimeoutException stillQueued) {
                served = false;
            } catch (IOException resetAtTheListenersClose) {
                served = false;
            }
            assertFalse(served, mode + ": a loop that is stopping accepted and served a client that connected during its drain");
            slowA.close();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS), "exits after the drain");
            assertEquals(0, server.exitValue(), "exit status");
        } finally {
            for (Socket s : idle) s.close();
            for (AutoCloseable c : others) c.close();
            server.destroyForcibly();
        }
    }

    /** How many of {@code clients} the server closed: their own end saw its FIN (CLOSE_WAIT) or is gone (one read of /proc/net/tcp). */
    private static long closedByServer(List<Socket> clients, int port) throws IOException {
        java.util.Map<Integer, Integer> stateByLocalPort = new java.util.HashMap<>();
        for (TcpSockets.Entry e : TcpSockets.all()) if (e.remotePort() == port) stateByLocalPort.put(e.localPort(), e.state());
        long n = 0;
        for (Socket c : clients) {
            Integer state = stateByLocalPort.get(c.getLocalPort());
            if (state == null || state == TcpSockets.CLOSE_WAIT) n++;
        }
        return n;
    }
}
