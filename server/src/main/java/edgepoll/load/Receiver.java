package edgepoll.load;

import edgepoll.sys.Errno;
import edgepoll.sys.Syscalls;
import java.lang.foreign.MemorySegment;

/**
 * The receiving side of a generator thread: reads a readable connection until a short read
 * (epoll(7): for a stream socket a read shorter than asked means the socket is empty, so no read is
 * spent on EAGAIN) and frames what came back, HTTP responses by their parser, echo messages by their
 * size, checked byte by byte against the upper-cased message; each whole one is recorded. A
 * connection that read responses is queued to send its next requests after the batch.
 *
 * <p>The read buffer, from the thread's arena, is shared by the thread's connections: a read is
 * framed before the next one.
 */
final class Receiver {
    static final int READ_BUFFER = 64 * 1024;

    private final MemorySegment cs;
    private final MemorySegment readBuf;
    private final boolean http;
    /** Echo: the reply one message must get; null for http. */
    private final MemorySegment expected;
    /** Echo: the message size, {@code expected}'s length. */
    private final int size;
    private final Connector connector;
    private final Sender sender;
    private final LoadRecorder rec;

    Receiver(MemorySegment cs, MemorySegment readBuf, boolean http, MemorySegment expected, Connector connector,
             Sender sender, LoadRecorder rec) {
        this.cs = cs;
        this.readBuf = readBuf;
        this.http = http;
        this.expected = expected;
        this.size = expected == null ? 0 : (int) expected.byteSize();
        this.connector = connector;
        this.sender = sender;
        this.rec = rec;
    }

    void readable(LoadConnection c) {
        while (true) {
            long n = Syscalls.readAt(cs, c.fd, readBuf, 0, READ_BUFFER);
            if (n > 0) {
                long t = System.nanoTime();
                rec.count.bytesIn += n;
                if (!(http ? frameHttp(c, n, t) : frameEcho(c, n, t))) {
                    connector.fail(c, Connector.MALFORMED);
                    return;
                }
                if (n < READ_BUFFER) break;
            } else if (n == 0) {
                connector.fail(c, Connector.CLOSED);
                return;
            } else if (n == -Errno.EAGAIN) {
                break;
            } else if (n != -Errno.EINTR) {
                connector.fail(c, Connector.READ);
                return;
            }
        }
        sender.later(c);
    }

    private boolean frameHttp(LoadConnection c, long n, long t) {
        long pos = 0;
        while (pos < n) {
            long end = c.http.parse(readBuf, pos, n);
            if (end == HttpResponseParser.NEED_MORE) return true;
            if (end == HttpResponseParser.MALFORMED || c.inFlight == 0) return false;
            int status = c.http.status;
            rec.completed(c, t, status < 200 || status > 299, false);
            pos = end;
        }
        return true;
    }

    /** Echo: each message is complete when as many bytes came back; each byte must be the upper-cased one. */
    private boolean frameEcho(LoadConnection c, long n, long t) {
        long pos = 0;
        while (pos < n) {
            if (c.inFlight == 0) return false;
            int take = (int) Math.min(size - c.echoed, n - pos);
            if (MemorySegment.mismatch(readBuf, pos, pos + take, expected, c.echoed, c.echoed + take) >= 0) {
                c.echoBad = true;
            }
            c.echoed += take;
            pos += take;
            if (c.echoed == size) {
                boolean bad = c.echoBad;
                c.echoed = 0;
                c.echoBad = false;
                rec.completed(c, t, false, bad);
            }
        }
        return true;
    }
}
