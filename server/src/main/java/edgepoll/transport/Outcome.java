package edgepoll.transport;

/**
 * What a send of the queued replies, or a whole {@link Transport#pump}, ended with. A type of its
 * own, apart from the connection's states ({@link Conn#CLOSED} is a state, {@link #ENDED} an outcome).
 */
public enum Outcome {
    /** Everything queued is sent (and, for the pump, no complete request is left to answer). */
    DONE,
    /** Output is still pending: the kernel said EAGAIN (wait for writability), or a send is in flight (wait for its completion). */
    WAITING,
    /** The connection ended here: marked closed (the peer is gone, or the reply closed it), or lingering. */
    ENDED
}
