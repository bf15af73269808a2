package edgepoll.loop;

/**
 * {@code --mode et} (the default, {@code --drain strict}): read until EAGAIN, exactly as seed 001's
 * edge-triggered server does. Only EAGAIN proves the socket's buffer empty, so every drain ends
 * with one read that finds nothing: the extra syscall per request that strict ET pays.
 */
final class StrictEt extends EtDrain {
    StrictEt(Parts p) {
        super(p);
    }

    @Override
    boolean readEndsDrain(Connection c) {
        return false;
    }
}
