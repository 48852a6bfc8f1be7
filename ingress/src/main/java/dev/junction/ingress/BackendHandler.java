package dev.junction.ingress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a backend connection: hands what the endpoint sends to the
 * {@link ProxyExchange} currently using the connection, and tells it when the connection closes.
 * An idle pooled connection has no exchange; anything it receives is dropped and it is closed.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private ProxyExchange exchange;

    void attach(ProxyExchange e) {
        this.exchange = e;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ProxyExchange e = exchange;
        if (e == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        e.onBackendRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ProxyExchange e = exchange;
        if (e != null) {
            e.onBackendReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxyExchange e = exchange;
        exchange = null;
        if (e != null) {
            e.onBackendClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        // A write without a promise (ProxyExchange.send) that failed on a connection already
        // closed: channelInactive has run before the exchange attached, so tell it here.
        if (!ctx.channel().isActive()) {
            channelInactive(ctx);
        }
    }
}
