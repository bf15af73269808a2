package edgepoll.load;

/**
 * What one generator thread counted in the measured window (plain longs its thread owns; read by
 * others only after it ended), or the sum over threads.
 */
final class LoadCounters {
    /** Responses (HTTP) or messages (echo) received whole, whatever their status or content. */
    long requests;
    long bytesIn;
    long bytesOut;
    /** connect(2) failed (refused, reset, unreachable). */
    long connectErrors;
    /** read(2) failed (e.g. ECONNRESET). */
    long readErrors;
    /** send(2) failed (e.g. EPIPE). */
    long writeErrors;
    /** The server closed the connection (read returned 0). */
    long closed;
    /** HTTP responses with a status outside 200-299. */
    long non2xx;
    /** Echo messages that did not come back as the upper-cased message. */
    long mismatches;
    /** Bytes that are not a response to a request in flight, or an HTTP response that cannot be framed. */
    long malformed;
    /** New connections made after the first one of each slot. */
    long reconnects;

    long errors() {
        return connectErrors + readErrors + writeErrors + closed + non2xx + mismatches + malformed;
    }

    void add(LoadCounters o) {
        requests += o.requests;
        bytesIn += o.bytesIn;
        bytesOut += o.bytesOut;
        connectErrors += o.connectErrors;
        readErrors += o.readErrors;
        writeErrors += o.writeErrors;
        closed += o.closed;
        non2xx += o.non2xx;
        mismatches += o.mismatches;
        malformed += o.malformed;
        reconnects += o.reconnects;
    }
}
