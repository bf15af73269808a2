package edgepoll.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The herd experiment's client (docs/many-loops.md): one connection, its requests, and the class of
 * its outcome ({@link #SERVED}, {@link #RESET}, {@link #EOF}, {@link #REFUSED}, {@link #OTHER}),
 * shared by the loads ({@link HerdLoads}) and the closing listeners ({@link HerdRestart}).
 */
final class HerdClient {
    private HerdClient() {}

    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: herd\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] REQUEST_CLOSE = "GET / HTTP/1.1\r\nHost: herd\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A client's outcome ({@link #client}). */
    static final int SERVED = 0, RESET = 1, EOF = 2, REFUSED = 3, OTHER = 4;
    static final String[] OUTCOMES = {"served", "reset before any byte", "EOF before any byte", "refused", "other"};

    /**
     * One client: connect, one request (or requests for {@code keepMs} on a keep-alive connection),
     * read each reply. Returns {@link #SERVED}, {@link #RESET} (reset before any byte of a reply),
     * {@link #EOF} (the server closed before any byte), {@link #REFUSED} (connect refused), or
     * {@link #OTHER} (a timeout, a short reply, a reset after some bytes).
     */
    static int client(InetSocketAddress addr, long keepMs, long[] latencies, int i) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(addr, 10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (keepMs == 0) {
                out.write(REQUEST_CLOSE);
                int b = in.read();
                if (b < 0) return EOF;
                latencies[i] = System.nanoTime() - t0;
                try {
                    byte[] rest = in.readAllBytes();
                    return b == 'H' && rest.length > 10 ? SERVED : OTHER;
                } catch (IOException e) {
                    return OTHER;
                }
            }
            long end = System.nanoTime() + keepMs * 1_000_000;
            byte[] buf = new byte[4096];
            boolean first = true;
            do {
                out.write(REQUEST);
                if (!readReply(in, buf)) return first ? EOF : OTHER;
                if (first) latencies[i] = System.nanoTime() - t0;
                first = false;
            } while (System.nanoTime() < end);
            return SERVED;
        } catch (ConnectException e) {
            return REFUSED;
        } catch (SocketTimeoutException e) {
            return OTHER;
        } catch (IOException e) {
            // a reset ("Broken pipe": a write after it): before any byte of a reply for a short connection (after
            // one, the read above answers OTHER); for a keep-alive one possibly after some replies
            String m = e.getMessage() == null ? "" : e.getMessage();
            return m.contains("reset") || m.contains("Broken pipe") ? RESET : OTHER;
        }
    }

    /** Reads one HTTP reply with a Content-Length body; false at EOF. */
    static boolean readReply(InputStream in, byte[] buf) throws IOException {
        int len = 0, headEnd = -1;
        while (headEnd < 0) {
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) return false;
            len += n;
            for (int k = 3; k < len; k++) {
                if (buf[k - 3] == '\r' && buf[k - 2] == '\n' && buf[k - 1] == '\r' && buf[k] == '\n') {
                    headEnd = k + 1;
                    break;
                }
            }
        }
        String head = new String(buf, 0, headEnd, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        int at = head.indexOf("content-length:");
        int body = at < 0 ? 0 : Integer.parseInt(head.substring(at + 15, head.indexOf('\r', at)).strip());
        int have = len - headEnd;
        while (have < body) {
            int n = in.read(buf, 0, Math.min(buf.length, body - have));
            if (n < 0) return false;
            have += n;
        }
        return true;
    }
}
