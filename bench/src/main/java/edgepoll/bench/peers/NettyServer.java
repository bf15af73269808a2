package edgepoll.bench.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Netty peer: {@code java -cp benchmarks.jar edgepoll.bench.peers.NettyServer [--mode et|lt]
 * [--protocol http|echo] [--port N] [--bind ADDR] [--response-size N]}, set up the way Netty users
 * set up a server to go fast (the TechEmpower plaintext entries), on the native epoll transport.
 *
 * <ul>
 *   <li>Netty 4.1: 4.2 registers every channel level-triggered and takes
 *       {@code EpollChannelOption.EPOLL_MODE} as a no-op ("Changing the EpollMode is not supported
 *       anymore"), which strace confirms; 4.1 still has both modes, edge-triggered by default.</li>
 *   <li>One {@link EpollEventLoopGroup} of one thread is both the boss and the worker group, so one
 *       thread accepts and does all I/O: one event loop per server, as edgepoll's {@code --loops 1}.</li>
 *   <li>{@code EPOLL_MODE} on the server and on every child channel, so accept and I/O are both
 *       edge- or both level-triggered.</li>
 *   <li>A pooled allocator that prefers direct buffers: reads land in pooled native memory, replies
 *       are a shared direct buffer, nothing is copied into the kernel from the heap.</li>
 *   <li>TCP_NODELAY on children, SO_REUSEADDR and a backlog of 1024 on the listener.</li>
 *   <li>No codec pipeline: one handler per connection ({@link NettyHttpHandler} or
 *       {@link NettyEchoHandler}) that flushes once per read batch.</li>
 *   <li>The system properties the TechEmpower Netty entry starts its JVM with: no leak detection
 *       (by default it samples allocations and records stack traces), no bounds or reference
 *       count checks on each buffer access. Set here unless given with {@code -D}, before any
 *       Netty class reads them, so the harness's plain {@code java -cp} line gets them.</li>
 * </ul>
 * Everything else is Netty's default (16 reads per readiness event, adaptive read buffer sizes).
 * First stdout line {@code listening on HOST:PORT}; SIGINT or SIGTERM closes the listener, stops
 * the loop and exits 0.
 */
public final class NettyServer {
    private NettyServer() {}

    public static void main(String[] args) throws InterruptedException {
        PeerOptions o = PeerMain.options("NettyServer", args, true);
        for (String p : new String[] {"io.netty.leakDetection.level=disabled",
                "io.netty.buffer.checkBounds=false", "io.netty.buffer.checkAccessible=false"}) {
            int eq = p.indexOf('=');
            if (System.getProperty(p.substring(0, eq)) == null) System.setProperty(p.substring(0, eq), p.substring(eq + 1));
        }
        EpollMode mode = o.edgeTriggered() ? EpollMode.EDGE_TRIGGERED : EpollMode.LEVEL_TRIGGERED;
        ByteBufAllocator alloc = new PooledByteBufAllocator(true);
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        NettyHttpHandler.Replies replies = o.http() ? new NettyHttpHandler.Replies(alloc, o.responseSize()) : null;
        RequestHeads heads = new RequestHeads();  // loop-confined: there is one loop thread
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(EpollChannelOption.EPOLL_MODE, mode)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childOption(EpollChannelOption.EPOLL_MODE, mode)
                .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                    @Override
                    protected void initChannel(EpollSocketChannel ch) {
                        ch.pipeline().addLast(replies != null ? new NettyHttpHandler(replies, heads) : NettyEchoHandler.INSTANCE);
                    }
                });
        Channel server = null;
        try {
            server = bootstrap.bind(o.bind(), o.port()).sync().channel();
        } catch (Exception e) {  // a NativeIoException from bind or listen, thrown through sync()
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            PeerMain.failToBind("NettyServer", o, e);
        }
        if (replies != null) {
            long toNextSecond = 1000 - System.currentTimeMillis() % 1000;
            server.eventLoop().scheduleAtFixedRate(replies::refresh, toNextSecond, 1000, TimeUnit.MILLISECONDS);
        }
        var stop = PeerMain.stopSignal(() -> { });
        PeerMain.announce((InetSocketAddress) server.localAddress());
        stop.await();
        server.close().sync();
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        System.exit(0);
    }
}
