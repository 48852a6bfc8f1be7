package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Answers length-prefixed DNS queries on a TCP connection (RFC 1035 section 4.2.2, RFC 7766):
 * any number of queries per connection, responses written as they complete (possibly out of
 * order, which RFC 7766 section 7 allows). Framing is done by the pipeline
 * ({@code LengthFieldBasedFrameDecoder} / {@code LengthFieldPrepender}); idle connections close.
 */
@Sharable
final class TcpDnsServerHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final DnsQueryProcessor processor;

    TcpDnsServerHandler(DnsQueryProcessor processor) {
        this.processor = requireNonNull(processor, "processor");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        byte[] wire = ByteBufUtil.getBytes(frame);
        java.net.SocketAddress remote = ctx.channel().remoteAddress();
        processor.process(wire, Transport.TCP,
                remote instanceof java.net.InetSocketAddress isa ? isa.getAddress() : null,
                response -> ctx.writeAndFlush(Unpooled.wrappedBuffer(response), ctx.voidPromise()));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
