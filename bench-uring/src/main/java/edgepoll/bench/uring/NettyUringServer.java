package edgepoll.bench.uring;

import edgepoll.bench.peers.NettyEchoHandler;
import edgepoll.bench.peers.NettyHttpHandler;
import edgepoll.bench.peers.NettyServer;
import edgepoll.bench.peers.PeerMain;
import edgepoll.bench.peers.PeerOptions;
import edgepoll.bench.peers.RequestHeads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Netty io_uring peer: {@code java -jar bench-uring/target/netty-uring-peer.jar
 * [--protocol http|echo] [--port N] [--bind ADDR] [--response-size N]}, set up as
 * {@link NettyServer} is (one loop thread for accept and I/O, pooled direct buffers, TCP_NODELAY,
 * the same handlers and TechEmpower system properties) but on Netty 4.2's io_uring transport
 * ({@link IoUringIoHandler}: multishot accept, recv with provided buffers where the kernel has
 * them). Where io_uring is refused it prints Netty's reason in one line and exits 1. First stdout
 * line {@code listening on HOST:PORT}; SIGINT or SIGTERM stops it.
 */
public final class NettyUringServer {
    private NettyUringServer() {}

    public static void main(String[] args) throws InterruptedException {
        PeerOptions o = PeerMain.options("NettyUringServer", args, false);
        for (String p : new String[] {"io.netty.leakDetection.level=disabled",
                "io.netty.buffer.checkBounds=false", "io.netty.buffer.checkAccessible=false"}) {
            int eq = p.indexOf('=');
            if (System.getProperty(p.substring(0, eq)) == null) System.setProperty(p.substring(0, eq), p.substring(eq + 1));
        }
        if (!IoUring.isAvailable()) {
            System.err.println("NettyUringServer: io_uring is not available here: " + IoUring.unavailabilityCause());
            System.exit(1);
        }
        ByteBufAllocator alloc = new PooledByteBufAllocator(true);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
        NettyHttpHandler.Replies replies = o.http() ? new NettyHttpHandler.Replies(alloc, o.responseSize()) : null;
        RequestHeads heads = new RequestHeads();  // loop-confined: there is one loop thread
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channel(IoUringServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childHandler(new ChannelInitializer<IoUringSocketChannel>() {
                    @Override
                    protected void initChannel(IoUringSocketChannel ch) {
                        ch.pipeline().addLast(replies != null ? new NettyHttpHandler(replies, heads) : NettyEchoHandler.INSTANCE);
                    }
                });
        Channel server = null;
        try {
            server = bootstrap.bind(o.bind(), o.port()).sync().channel();
        } catch (Exception e) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            PeerMain.failToBind("NettyUringServer", o, e);
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
