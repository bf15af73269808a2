package edgepoll.bench.peers;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.nio.ByteBuffer;

/**
 * Echo: upper-cases each buffer read in place and writes that same buffer back, so the bytes are
 * never copied in user space; flushed once per read batch. Stateless, so one instance serves every
 * connection.
 */
@ChannelHandler.Sharable
public final class NettyEchoHandler extends FlushPerRead {
    public static final NettyEchoHandler INSTANCE = new NettyEchoHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        ByteBuffer b = in.internalNioBuffer(in.readerIndex(), in.readableBytes());
        Ascii.upperCase(b, b.position(), b.limit());
        ctx.write(in, ctx.voidPromise());
    }
}
