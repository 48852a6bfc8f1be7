package dev.junction.ingress;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The fast path in front of {@link io.netty.handler.codec.http.HttpObjectAggregator} for HTTP/1.x
 * requests that have no body — neither {@code Content-Length} nor {@code Transfer-Encoding}, so
 * their body length is zero (RFC 9112 §6.3) — and no {@code Expect}: the request head and the
 * decoder's empty {@link LastHttpContent} become one {@link FullHttpRequest} with an empty buffer,
 * which the aggregator passes through untouched. This saves the aggregator's composite buffer and
 * wrapper for the common GET. Anything else (bodies, decoder failures) goes to the aggregator as
 * before.
 */
final class BodylessRequestAggregator extends ChannelInboundHandlerAdapter {
    private HttpRequest pending;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (pending != null) {
            HttpRequest head = pending;
            pending = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable()
                    && last.trailingHeaders().isEmpty() && last.decoderResult().isSuccess()) {
                last.release();
                ctx.fireChannelRead(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                        Unpooled.EMPTY_BUFFER, head.headers(), last.trailingHeaders()));
                return;
            }
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpRequest req && !(msg instanceof HttpContent) && req.decoderResult().isSuccess()
                && bodyless(req.headers())) {
            pending = req;
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean bodyless(HttpHeaders h) {
        return !h.contains(HttpHeaderNames.CONTENT_LENGTH) && !h.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !h.contains(HttpHeaderNames.EXPECT);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        HttpRequest head = pending;
        pending = null;
        if (head != null) {
            ctx.fireChannelRead(head);
        }
    }
}
