package edgepoll.loop;

/**
 * {@code --mode et --drain naive}: broken on purpose. One read per edge, whatever it returned, and
 * never a read to EAGAIN: the mistake seed 001 warns about ("2 kB written, 1 kB read": the other
 * 1 kB stays in the socket, and epoll reports no new edge for it). A request larger than one read
 * ({@code --buffer-size}, or the slice when the head limit is larger) is then answered only when
 * the client sends more bytes, which bring a new edge and one more read. Options accepts it only
 * when a command line names it (it is not in {@code Options.DRAINS}), and the server prints a
 * warning line; scripts/et-stall-demo runs it next to {@link StrictEt} and {@link ShortReadEt}.
 */
final class NaiveEt extends EtDrain {
    NaiveEt(Parts p) {
        super(p);
    }

    @Override
    boolean readEndsDrain(Connection c) {
        return true;
    }
}
