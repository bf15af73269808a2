package edgepoll.server.testkit;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's view of this network namespace's TCP sockets (/proc/net/tcp and tcp6), for waits on
 * what no counter shows: a listener's accept queue, bytes a socket holds unread or unsent, whether a
 * server (in-process, a child process or a peer) still holds a connection. Matched by port, so a
 * java.net client (an IPv4-mapped IPv6 socket, in tcp6) and an IPv4 server (in tcp) both appear.
 */
public final class TcpSockets {
    private TcpSockets() {}

    public static final int ESTABLISHED = 0x01, CLOSE_WAIT = 0x08, LISTEN = 0x0A;

    /**
     * One socket. {@code txQueue}: bytes written and not yet acknowledged (for a listener: its
     * backlog); {@code rxQueue}: bytes received and not yet read by the application (for a
     * listener: connections waiting in its accept queue).
     */
    public record Entry(int localPort, int remotePort, int state, long txQueue, long rxQueue) {}

    public static List<Entry> all() throws IOException {
        List<Entry> all = new ArrayList<>();
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue ...
                String[] f = line.strip().split("\\s+");
                String[] q = f[4].split(":");
                all.add(new Entry(port(f[1]), port(f[2]), Integer.parseInt(f[3], 16), Long.parseLong(q[0], 16), Long.parseLong(q[1], 16)));
            }
        }
        return all;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
    }

    /** The socket with this local and remote port, or null once it is gone. */
    public static Entry find(int localPort, int remotePort) throws IOException {
        for (Entry e : all()) if (e.localPort == localPort && e.remotePort == remotePort) return e;
        return null;
    }

    /** The server's end of {@code client}'s connection, or null once the server closed it (and it left LAST_ACK). */
    public static Entry serverEnd(Socket client) throws IOException {
        return find(client.getPort(), client.getLocalPort());
    }

    /** {@code client}'s own end, as the kernel sees it. */
    public static Entry clientEnd(Socket client) throws IOException {
        return find(client.getLocalPort(), client.getPort());
    }

    /** The listening socket on {@code port}, or null. */
    public static Entry listener(int port) throws IOException {
        for (Entry e : all()) if (e.localPort == port && e.state == LISTEN) return e;
        return null;
    }

    /**
     * Connections the server on {@code port} still holds open: its ends in ESTABLISHED or CLOSE_WAIT
     * (the client's FIN arrived, the server has not closed yet). A server's closed end is in
     * LAST_ACK at most, which does not count.
     */
    public static long heldBy(int port) throws IOException {
        long n = 0;
        for (Entry e : all()) if (e.localPort == port && (e.state == ESTABLISHED || e.state == CLOSE_WAIT)) n++;
        return n;
    }
}
