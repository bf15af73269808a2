package edgepoll.server.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking loopback client (java.net.Socket) with timeouts, for exact byte-level HTTP and echo tests. */
public final class RawClient implements AutoCloseable {
    public final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[65536];
    private int pos, lim;

    public RawClient(int port) throws IOException {
        this(port, 10_000);
    }

    public RawClient(int port, int timeoutMs) throws IOException {
        this(new InetSocketAddress("127.0.0.1", port), timeoutMs);
    }

    public RawClient(InetSocketAddress addr) throws IOException {
        this(addr, 10_000);
    }

    private RawClient(InetSocketAddress addr, int timeoutMs) throws IOException {
        socket = new Socket();
        socket.connect(addr, timeoutMs);
        socket.setSoTimeout(timeoutMs);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public void send(String s) throws IOException {
        send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    private boolean fill() throws IOException {
        if (pos < lim) return true;
        int n = in.read(buf);
        if (n < 0) return false;
        pos = 0;
        lim = n;
        return true;
    }

    /** One HTTP response: status line and headers, then Content-Length bytes of body (none for HEAD). */
    public Response readResponse(boolean head) throws IOException {
        StringBuilder h = new StringBuilder();
        while (!h.toString().endsWith("\r\n\r\n")) {
            if (!fill()) throw new IOException("EOF inside a response head: " + h);
            h.append((char) (buf[pos++] & 0xff));
        }
        String headText = h.toString();
        long length = Response.contentLength(headText);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (long left = head ? 0 : length; left > 0; ) {
            if (!fill()) throw new IOException("EOF inside a body, " + left + " bytes missing");
            int n = (int) Math.min(left, lim - pos);
            body.write(buf, pos, n);
            pos += n;
            left -= n;
        }
        return new Response(headText, body.toByteArray());
    }

    /** Reads until the server closes; returns everything read. Throws on timeout. */
    public byte[] readToEof() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (fill()) {
            all.write(buf, pos, lim - pos);
            pos = lim;
        }
        return all.toByteArray();
    }

    /** True when the server closed the connection (EOF or reset) within the socket timeout. */
    public boolean closedByServer() throws IOException {
        try {
            readToEof();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    /**
     * One request on its own connection ({@code Connection: close}): true when a 200 came back and
     * then the server closed; false on anything else (refused, reset, a timeout, another status).
     */
    public static boolean servedOnce(InetSocketAddress addr) {
        try (RawClient c = new RawClient(addr)) {
            c.send("GET / HTTP/1.1\r\nHost: once\r\nConnection: close\r\n\r\n");
            return c.readResponse(false).status() == 200 && c.readToEof().length == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A parsed response. */
    public record Response(String head, byte[] body) {
        public int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) return line.substring(c + 1).strip();
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        static long contentLength(String head) {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) return Long.parseLong(line.substring(15).strip());
            }
            return 0;
        }
    }
}
