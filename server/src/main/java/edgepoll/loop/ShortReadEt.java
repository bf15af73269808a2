package edgepoll.loop;

import edgepoll.transport.SocketTransport;

/**
 * {@code --mode et --drain short-read}: a read that returns fewer bytes than it asked for ends the
 * drain, as epoll(7) allows for stream sockets (Netty's ET transport does the same), saving the
 * read that would find EAGAIN. Not once EPOLLRDHUP was seen: then the read goes on to EOF, since a
 * short read before a FIN says nothing about the FIN.
 */
final class ShortReadEt extends EtDrain {
    ShortReadEt(Parts p) {
        super(p);
    }

    @Override
    boolean readEndsDrain(Connection c) {
        return !SocketTransport.filled(c) && !c.rdhup;
    }
}
