package edgepoll.bench.peers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.ByteBuffer;

/**
 * HTTP hello world without a codec, the way the fastest Netty plaintext servers do it: find the
 * request ends in the bytes read, and for each write a retained duplicate of one prebuilt direct
 * reply, so a request costs no parsing into objects, no copy and no encoding. Writes are flushed
 * once per read batch ({@link FlushPerRead}), so a pipelined burst leaves in one writev.
 *
 * <p>A partial head is kept (the read buffer itself becomes the cumulation, as
 * {@code ByteToMessageDecoder} does) until the rest arrives; a head over
 * {@link HttpReplies#MAX_HEAD_BYTES} gets 431 and a close. {@code Connection: close} (and HTTP/1.0
 * without keep-alive) gets the reply with {@code Connection: close}, then a close once it is
 * written; anything after that request is dropped. Not supported: request bodies, HEAD (answered
 * with the body). One instance per connection.
 */
public final class NettyHttpHandler extends FlushPerRead {
    private final Replies replies;
    private final RequestHeads heads;
    /** The unanswered tail of the input (a partial head), or null. */
    private ByteBuf cumulation;
    /** A closing reply is queued: later input is discarded. */
    private boolean closing;

    public NettyHttpHandler(Replies replies, RequestHeads heads) {
        this.replies = replies;
        this.heads = heads;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closing) {
            in.release();
            return;
        }
        if (cumulation != null) {
            cumulation.writeBytes(in);
            in.release();
            in = cumulation;
            cumulation = null;
        }
        ByteBuffer b = in.internalNioBuffer(in.readerIndex(), in.readableBytes());
        int base = b.position(), limit = b.limit(), pos = base;
        while ((pos = RequestHeads.skipEmptyLines(b, pos, limit)) < limit) {
            int end = heads.find(b, pos, limit);
            if ((end < 0 ? limit : end) - pos > HttpReplies.MAX_HEAD_BYTES) {
                closeWith(ctx, replies.tooLarge);
                break;
            }
            if (end < 0) break;
            if (heads.close) {
                closeWith(ctx, replies.okClose);
                break;
            }
            ctx.write(replies.ok.retainedDuplicate(), ctx.voidPromise());
            pos = end;
        }
        in.skipBytes(pos - base);
        if (in.isReadable() && !closing) {
            cumulation = in.discardSomeReadBytes();
        } else {
            in.release();
        }
    }

    private void closeWith(ChannelHandlerContext ctx, ByteBuf reply) {
        ctx.write(reply.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
        closing = true;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    /**
     * The replies as direct buffers shared by every connection of the loop. {@link #refresh} runs on
     * the loop once a second and swaps in buffers with the new Date; duplicates still being written
     * keep the old ones alive through their reference counts.
     */
    public static final class Replies {
        private final ByteBufAllocator alloc;
        private final int bodySize;
        ByteBuf ok, okClose;
        final ByteBuf tooLarge;

        public Replies(ByteBufAllocator alloc, int bodySize) {
            this.alloc = alloc;
            this.bodySize = bodySize;
            tooLarge = direct(HttpReplies.TOO_LARGE);
            refresh();
        }

        public void refresh() {
            long now = System.currentTimeMillis() / 1000;
            ByteBuf oldOk = ok, oldClose = okClose;
            ok = direct(HttpReplies.ok("netty", now, bodySize, false));
            okClose = direct(HttpReplies.ok("netty", now, bodySize, true));
            if (oldOk != null) {
                oldOk.release();
                oldClose.release();
            }
        }

        private ByteBuf direct(byte[] bytes) {
            return alloc.directBuffer(bytes.length).writeBytes(bytes);
        }
    }
}
