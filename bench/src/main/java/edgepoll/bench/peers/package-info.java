/**
 * The peer servers edgepoll is measured against, each a separate process with one event loop
 * thread: {@link edgepoll.bench.peers.NettyServer} (Netty native epoll, ET or LT) and
 * {@link edgepoll.bench.peers.NioServer} (a JDK {@link java.nio.channels.Selector}, which is LT
 * epoll underneath). Both speak edgepoll's two protocols with the same bytes on the wire.
 *
 * <p>Public beyond the package: {@link edgepoll.bench.peers.PeerMain}, {@link edgepoll.bench.peers.PeerOptions},
 * the two Netty handlers and {@link edgepoll.bench.peers.RequestHeads}, which the bench-uring module's
 * NettyUringServer (package edgepoll.bench.uring, Netty 4.2) serves with on its io_uring transport.
 */
package edgepoll.bench.peers;
