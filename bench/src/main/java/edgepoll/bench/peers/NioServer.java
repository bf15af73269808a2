package edgepoll.bench.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The JDK NIO peer: {@code java -cp benchmarks.jar edgepoll.bench.peers.NioServer [--protocol
 * http|echo] [--port N] [--bind ADDR] [--response-size N]}. One thread runs one {@link Selector}
 * (level-triggered epoll underneath, through the JDK's EPollSelectorImpl) over non-blocking
 * channels, written the way a hand-tuned NIO server is:
 *
 * <ul>
 *   <li>{@link Selector#select(Consumer)}, which hands over ready keys without the selected-key set
 *       and its iterator (no allocation per wakeup).</li>
 *   <li>Direct buffers only, reused: one pooled input buffer per connection (returned on close) and
 *       one output buffer for the loop, so the JDK never copies through its temporary direct
 *       buffers.</li>
 *   <li>HTTP pending output is two counters, not bytes: replies owed and bytes of the first one
 *       already sent. Every reply to a read batch is copied into the output buffer and leaves in one
 *       write; whatever a short write left is rebuilt from the counters when the socket is writable
 *       again.</li>
 *   <li>OP_WRITE is in the interest set only while output is pending, and then OP_READ is not:
 *       a client that does not read stops being read from (backpressure, as edgepoll's LT loop).</li>
 *   <li>Accept until there is nothing left (accept returns null, no exception), TCP_NODELAY per
 *       connection, SO_REUSEADDR and a backlog of 1024 on the listener.</li>
 * </ul>
 * HTTP semantics as {@link NettyHttpHandler}: keep-alive, pipelining, partial heads kept, 431 over
 * {@link HttpReplies#MAX_HEAD_BYTES}, {@code Connection: close} honoured. Echo upper-cases in the
 * input buffer and writes from it. The Date is refreshed by the first read in a new second.
 */
public final class NioServer {
    private static final int IN_SIZE = 2 * HttpReplies.MAX_HEAD_BYTES;
    private static final int OUT_SIZE = 64 * 1024;

    private final Selector selector;
    private final boolean http;
    private final int bodySize;
    private final RequestHeads heads = new RequestHeads();
    private final ArrayDeque<ByteBuffer> freeInputs = new ArrayDeque<>();
    private final ByteBuffer out = ByteBuffer.allocateDirect(OUT_SIZE);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final ByteBuffer tooLarge = direct(HttpReplies.TOO_LARGE);
    private ByteBuffer ok, okClose;
    private long second = -1;
    private volatile boolean stopping;

    private NioServer(Selector selector, PeerOptions o) {
        this.selector = selector;
        this.http = o.http();
        this.bodySize = o.responseSize();
    }

    /** A connection: its channel, its input, and for HTTP the replies it still owes. */
    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer in;
        /** Keep-alive replies owed, then {@link #last} (the closing reply or 431) if not null. */
        int owed;
        ByteBuffer last;
        /** Bytes of the first owed reply already written. */
        int sent;

        Conn(SocketChannel ch, ByteBuffer in) {
            this.ch = ch;
            this.in = in;
        }
    }

    public static void main(String[] args) throws IOException {
        PeerOptions o = PeerMain.options("NioServer", args, false);
        try (Selector selector = Selector.open(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            try {
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                listener.bind(new InetSocketAddress(o.bind(), o.port()), 1024);
            } catch (IOException e) {
                PeerMain.failToBind("NioServer", o, e);
            }
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            NioServer server = new NioServer(selector, o);
            PeerMain.stopSignal(() -> {
                server.stopping = true;
                selector.wakeup();
            });
            PeerMain.announce((InetSocketAddress) listener.getLocalAddress());
            server.run();
            for (SelectionKey k : selector.keys()) k.channel().close();
        }
        System.exit(0);
    }

    private void run() throws IOException {
        while (!stopping) {
            selector.select(onReady);
        }
    }

    /** Rewrites the replies in place when the second changed: one clock read per read, one rewrite per second. */
    private void refreshDate() {
        long now = System.currentTimeMillis() / 1000;
        if (now == second) return;
        second = now;
        ok = rewrite(ok, HttpReplies.ok("nio", now, bodySize, false));
        okClose = rewrite(okClose, HttpReplies.ok("nio", now, bodySize, true));
    }

    /** {@code bytes} in {@code reply}, which the first call allocates (the length never changes: IMF-fixdate is fixed-width). */
    private static ByteBuffer rewrite(ByteBuffer reply, byte[] bytes) {
        return reply == null ? direct(bytes) : reply.put(0, bytes);
    }

    private void onReady(SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                accept((ServerSocketChannel) key.channel());
                return;
            }
            Conn c = (Conn) key.attachment();
            if (key.isWritable()) {
                if (send(c) && key.isValid()) key.interestOps(SelectionKey.OP_READ);
            } else if (key.isReadable()) {
                if (!(http ? readHttp(key, c) : readEcho(key, c))) return;  // closed at EOF
                if (!send(c) && key.isValid()) key.interestOps(SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {  // reset by the peer and the like: drop the connection
            close(key);
        }
    }

    /** Accepts until none is left. A failing accept (EMFILE and the like) leaves the rest for the next wakeup. */
    private void accept(ServerSocketChannel listener) {
        while (true) {
            SocketChannel ch;
            try {
                if ((ch = listener.accept()) == null) return;
            } catch (IOException e) {
                return;
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer in = freeInputs.poll();
                ch.register(selector, SelectionKey.OP_READ, new Conn(ch, in != null ? in : ByteBuffer.allocateDirect(IN_SIZE)));
            } catch (IOException e) {  // reset before it was set up
                closeQuietly(ch);
            }
        }
    }

    /** Sends pending output; true when none is left (or the connection closed after its last reply). */
    private boolean send(Conn c) throws IOException {
        return http ? sendOwed(c) : sendEcho(c);
    }

    /** Reads and queues a reply per complete request head; false at EOF (then closed). */
    private boolean readHttp(SelectionKey key, Conn c) throws IOException {
        ByteBuffer in = c.in;
        refreshDate();
        if (c.ch.read(in) < 0) {
            close(key);
            return false;
        }
        int pos = 0, limit = in.position();
        while ((pos = RequestHeads.skipEmptyLines(in, pos, limit)) < limit) {
            int end = heads.find(in, pos, limit);
            if ((end < 0 ? limit : end) - pos > HttpReplies.MAX_HEAD_BYTES) {
                c.last = tooLarge;
                break;
            }
            if (end < 0) break;
            if (heads.close) {
                c.last = okClose;
                break;
            }
            c.owed++;
            pos = end;
        }
        in.flip().position(c.last != null ? limit : pos);  // after a closing reply nothing is answered
        in.compact();
        return true;
    }

    /**
     * Copies as many owed replies as fit into {@link #out} and writes them, until all went out or
     * a write was short. The counters advance by the bytes written, so a short write leaves no
     * bytes behind, only counts.
     */
    private boolean sendOwed(Conn c) throws IOException {
        while (c.owed > 0 || c.last != null) {
            out.clear();
            int owed = c.owed, sent = c.sent;
            ByteBuffer last = c.last;
            for (ByteBuffer r; out.hasRemaining() && (r = owed > 0 ? ok : last) != null; ) {
                int n = Math.min(r.limit() - sent, out.remaining());
                out.put(out.position(), r, sent, n).position(out.position() + n);
                sent += n;
                if (sent < r.limit()) break;
                sent = 0;
                if (owed > 0) owed--;
                else last = null;
            }
            out.flip();
            advance(c, c.ch.write(out));
            if (out.hasRemaining()) return false;
        }
        return true;
    }

    /**
     * Moves the counters past {@code n} written bytes; once the closing reply is all written, closes.
     * A reply split across writes over a second boundary may mix two Date values of equal length:
     * a harmless inexactness of a few bytes, the price of holding no bytes per connection.
     */
    private void advance(Conn c, int n) {
        while (n > 0) {
            ByteBuffer r = c.owed > 0 ? ok : c.last;
            int left = r.limit() - c.sent;
            if (n < left) {
                c.sent += n;
                return;
            }
            n -= left;
            c.sent = 0;
            if (c.owed > 0) {
                c.owed--;
            } else {
                c.last = null;
                close(c.ch.keyFor(selector));
            }
        }
    }

    /** Reads and upper-cases what came in place, to be written from the input buffer; false at EOF. */
    private boolean readEcho(SelectionKey key, Conn c) throws IOException {
        int from = c.in.position();
        if (c.ch.read(c.in) < 0) {
            close(key);
            return false;
        }
        Ascii.upperCase(c.in, from, c.in.position());
        return true;
    }

    /** Writes what the input buffer holds (already upper-cased); true when all went out. */
    private boolean sendEcho(Conn c) throws IOException {
        c.in.flip();
        c.ch.write(c.in);
        c.in.compact();
        return c.in.position() == 0;
    }

    private void close(SelectionKey key) {
        if (key == null || !key.isValid()) return;
        Conn c = (Conn) key.attachment();
        key.cancel();
        closeQuietly(c.ch);
        freeInputs.push(c.in.clear());
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
