package edgepoll.bench.peers;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * What both Netty handlers share: one flush per read batch (channelReadComplete) rather than per
 * reply, backpressure through auto-read (a client that does not read stops being read from once
 * Netty's outbound buffer passes its high-water mark, 64 KiB), and a quiet close on I/O errors such
 * as a reset by the peer.
 */
abstract class FlushPerRead extends ChannelInboundHandlerAdapter {
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        if (!ctx.channel().isWritable()) ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
