package edgepoll.uring;

import edgepoll.transport.Conn;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One accepted connection of a {@link UringLoop}: the transport's {@link Conn} (bytes, states,
 * timers; its fd is -1 once the ring closed it) plus what the loop keeps about the requests it has
 * in the ring for it and the provided buffers it holds. Owned by the loop thread; the slot is reused for a
 * later connection only once every request submitted for this one has completed ({@link #ops} is 0),
 * so a completion can never reach the wrong connection; the generation in the user_data checks it.
 */
final class UringConnection extends Conn {
    final int slot;
    /** Requests in the ring for this connection (recv while armed, send, shutdown, cancel, close). */
    int ops;
    boolean recvArmed;
    /** A cancel of the multishot recv is in the ring (backpressure): no new recv until it ended. */
    boolean recvCancelling;
    /** The recv ended with ENOBUFS: re-armed once buffers come back. */
    boolean starved;
    /** What the send in flight ({@link Conn#sendInFlight}) reads from (the output buffer or a body): kept reachable until its CQE. */
    MemorySegment sending;
    boolean sendingBody;
    /** On the loop's list of connections to drive after the completions are reaped. */
    boolean dirty;

    /** Provided buffers received and not yet copied into {@code in}: id, bytes already taken, length. */
    int[] pendBid = new int[8], pendOff = new int[8], pendLen = new int[8];
    int pendHead, pendCount;

    UringConnection(int slot) {
        super(-1);
        this.slot = slot;
    }

    void open(int fd) {
        this.fd = fd;
        reopen();
        generation = (generation + 1) & UserData.GEN_MASK;
        ops = 0;
        recvArmed = recvCancelling = starved = sendingBody = dirty = false;
        sending = null;
        pendHead = pendCount = 0;
    }

    /** Provided buffers received and not yet copied in: a head begun (timers), more input to come (the pump). */
    @Override
    public boolean holdsInput() {
        return pendCount > 0;
    }

    void pushPending(int bid, int len) {
        if (pendCount == pendBid.length) grow();
        int i = (pendHead + pendCount) & (pendBid.length - 1);
        pendBid[i] = bid;
        pendOff[i] = 0;
        pendLen[i] = len;
        pendCount++;
    }

    /** Backpressure path only (the queue doubles; its length stays a power of two). */
    private void grow() {
        int n = pendBid.length;
        int[] b = new int[n * 2], o = new int[n * 2], l = new int[n * 2];
        for (int k = 0; k < pendCount; k++) {
            int i = (pendHead + k) & (n - 1);
            b[k] = pendBid[i];
            o[k] = pendOff[i];
            l[k] = pendLen[i];
        }
        pendBid = b;
        pendOff = o;
        pendLen = l;
        pendHead = 0;
    }

    int headIndex() {
        return pendHead;
    }

    void popPending() {
        pendHead = (pendHead + 1) & (pendBid.length - 1);
        pendCount--;
    }

    @Override
    public String toString() {
        return "conn[slot=" + slot + " fd=" + fd + " gen=" + generation + " state=" + state + " ops=" + ops
                + " pend=" + pendCount + " " + Arrays.toString(new boolean[] {recvArmed, sendInFlight}) + "]";
    }
}
