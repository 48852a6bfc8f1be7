package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection (HTTP/1.1) or of one HTTP/2 stream: takes complete
 * requests, runs one {@link ProxyExchange} at a time (pipelined HTTP/1.1 requests wait in order)
 * and, after a WebSocket upgrade, relays raw bytes both ways until either side closes.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);
    /** The client address announced by a PROXY protocol header, set on the connection channel. */
    static final AttributeKey<InetSocketAddress> CLIENT_ADDRESS = AttributeKey.valueOf("junction.ingress.client");
    private static final int MAX_PIPELINED = 32;

    final ProxyContext px;
    final boolean https;
    final boolean http2;
    final int listenerPort;
    /** {@link #listenerPort} as header text, made once per connection or stream. */
    final io.netty.util.AsciiString listenerPortText;
    /** The client's address text, computed on first use (the peer of a connection does not change). */
    private String clientIp;
    /** Requests waiting for the current exchange: {@link FullHttpRequest}s and lean {@link RequestHead}s. */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private ProxyExchange current;
    private Channel relay;

    ProxyHandler(ProxyContext px, boolean https, boolean http2, int listenerPort) {
        this.px = requireNonNull(px, "px");
        this.https = https;
        this.http2 = http2;
        this.listenerPort = listenerPort;
        this.listenerPortText = io.netty.util.AsciiString.of(Integer.toString(listenerPort));
    }

    private io.netty.util.concurrent.ScheduledFuture<?> ticker;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long period = Math.max(50, Math.min(1000, px.limits().upstreamTimeout().toMillis() / 4));
        ticker = ctx.executor().scheduleAtFixedRate(() -> {
            ProxyExchange e = current;
            if (e != null) {
                e.checkDeadline(System.nanoTime());
            }
        }, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ticker.cancel(false);
    }

    /** The client's IP: from PROXY protocol if present, else the peer address of the connection. */
    String clientIp() {
        String ip = clientIp;
        if (ip == null) {
            ip = clientIp = computeClientIp();
        }
        return ip;
    }

    private String computeClientIp() {
        Channel conn = ctx.channel() instanceof Http2StreamChannel ? ctx.channel().parent() : ctx.channel();
        InetSocketAddress proxied = conn.attr(CLIENT_ADDRESS).get();
        if (proxied != null) {
            return proxied.getAddress().getHostAddress();
        }
        SocketAddress remote = conn.remoteAddress();
        return remote instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress() : "0.0.0.0";
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (relay != null) {
            relay.write(msg);
            return;
        }
        if (msg instanceof FullHttpRequest || msg instanceof RequestHead) {
            if (current != null) {
                if (queue.size() >= MAX_PIPELINED) {
                    ReferenceCountUtil.release(msg);
                    ctx.close();
                    return;
                }
                queue.add(msg);
                return;
            }
            start(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void start(Object req) {
        current = req instanceof RequestHead head ? new ProxyExchange(this, ctx, head)
                : new ProxyExchange(this, ctx, (FullHttpRequest) req);
        current.begin();
    }

    /** Called by the exchange once its response is written. */
    void done(ProxyExchange e, boolean closeConnection) {
        if (current != e) {
            return;
        }
        current = null;
        if (closeConnection) {
            drain();
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Object next = queue.poll();
        if (next != null) {
            start(next);
        }
    }

    /** Switches this connection to a byte relay with {@code backend} (WebSocket after 101). */
    void upgradeTo(Channel backend) {
        relay = backend;
        if (ctx.pipeline().get(FrontendInitializer.HTTP_CODEC) != null) {
            ctx.pipeline().remove(FrontendInitializer.HTTP_CODEC);
        }
        RequestGuardHandler guard = ctx.pipeline().get(RequestGuardHandler.class);
        if (guard != null) {
            guard.upgraded();
        }
        backend.closeFuture().addListener(f -> ctx.close());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (current != null) {
            current.frontendWritable(writable);
        }
        if (relay != null) {
            relay.config().setAutoRead(writable);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ticker.cancel(false);
        ProxyExchange e = current;
        current = null;
        if (e != null) {
            e.onFrontendClosed();
        }
        drain();
        if (relay != null) {
            relay.close();
        }
        ctx.fireChannelInactive();
    }

    private void drain() {
        Object r;
        while ((r = queue.poll()) != null) {
            ReferenceCountUtil.release(r);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
