package edgepoll.loop;

import edgepoll.kernel.LoopSyscalls;
import edgepoll.proto.Protocol;
import edgepoll.transport.LoopClock;
import edgepoll.transport.SocketTransport;

/**
 * The readiness loops' transport ({@link SocketTransport}: read and send syscalls) over the loop's
 * {@link ConnectionTable}: the table lends the buffers (its scratch pair), keeps the timers and
 * closes fds after the batch. The drain policies decide how often its reads and pumps run; this
 * class decides nothing about readiness. Owned by the loop thread.
 */
final class Transfer extends SocketTransport<Connection> {
    private final ConnectionTable table;

    Transfer(LoopSyscalls sys, ConnectionTable table, Protocol protocol, LoopClock clock, boolean cork, boolean drainsToEagain) {
        super(sys, protocol, clock, table.deadlines, cork, drainsToEagain);
        this.table = table;
    }

    @Override
    protected void lendInput(Connection c) {
        table.lendInput(c);
    }

    @Override
    protected void lendOutput(Connection c) {
        table.lendOutput(c);
    }

    @Override
    protected void releaseIdleBuffers(Connection c) {
        table.releaseIdleBuffers(c);
    }

    @Override
    public void closeLater(Connection c, String reason) {
        table.closeLater(c, reason);
    }
}
