package edgepoll.loop;

import edgepoll.proto.Protocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.transport.LoopClock;

/**
 * How far one readiness is drained, and in which order a connection's events are handled: the axis
 * on which edge- and level-triggered servers differ (seed 001). The policies ({@link EtDrain}'s
 * {@link StrictEt} and {@link ShortReadEt}, and {@link LtDrain}) read side by side: each has
 * {@code onAcceptable}, {@code onEvent}, {@code onReadable} and {@code onWritable}. A policy is
 * composed with a {@link Readiness} backend, not derived from it: the loop hands it the fired events
 * whatever reported them.
 *
 * <p>What the policies share lives here: registering a new connection with the interest the policy
 * asks for, and changing a connection's interest only when it changes.
 */
abstract class DrainPolicy {
    /** The loop's parts a policy works with, made by the loop on its own thread. */
    record Parts(LoopSyscalls sys, LoopClock clock, Readiness readiness, ConnectionTable table, Acceptor acceptor, Protocol protocol, boolean cork) {}

    final LoopSyscalls sys;
    final LoopClock clock;
    final Readiness readiness;
    final ConnectionTable table;
    final Acceptor acceptor;
    final Transfer io;

    DrainPolicy(Parts p, boolean drainsToEagain) {
        this.sys = p.sys();
        this.clock = p.clock();
        this.readiness = p.readiness();
        this.table = p.table();
        this.acceptor = p.acceptor();
        this.io = new Transfer(p.sys(), p.table(), p.protocol(), p.clock(), p.cork(), drainsToEagain);
    }

    /** The interest a connection is registered with when it is accepted. */
    abstract Interest connectionInterest();

    /** The listener is ready: accept what this policy accepts per readiness. */
    abstract void onAcceptable();

    /** One fired event for a live connection. */
    abstract void onEvent(Connection c, int events);

    /** Work left over from the batch (ET's owed drains); true while more is owed (wait with timeout 0). */
    boolean runOwed() {
        return false;
    }

    /** A socket accept4 returned: a slot, its registration, its first timer. */
    final void accepted(int fd) {
        Connection c = table.open(fd);
        if (c == null) return;
        Interest mask = connectionInterest();
        if (readiness.add(c.fd, mask, ConnectionTable.token(c)) < 0) {
            table.closeLater(c);
            return;
        }
        c.registered = mask;
        table.deadlines.rearm(c, clock.nowMs);
    }

    /** Changes the connection's interest to {@code mask} unless the backend already holds it; 0 or -errno. */
    final int setInterest(Connection c, Interest mask) {
        if (c.registered == mask) return 0;
        int rc = readiness.modify(c.fd, mask, ConnectionTable.token(c));
        if (rc == 0) c.registered = mask;
        return rc;
    }
}
