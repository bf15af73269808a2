/**
 * The peer servers edgepoll is measured against, each a separate process with one event loop
 * thread: {@link edgepoll.bench.peers.NettyServer} (Netty native epoll, ET or LT) and
 * {@link edgepoll.bench.peers.NioServer} (a JDK {@link java.nio.channels.Selector}, which is LT
 * epoll underneath). Both speak edgepoll's two protocols with the same bytes on the wire.
 */
package edgepoll.bench.peers;
