package dev.junction.ingress;

import dev.junction.common.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP/2 in clear text with prior knowledge (h2c) toward endpoints, for
 * {@code backend-protocol: GRPC}: one multiplexed connection per event loop and endpoint; every
 * request is a new stream whose pipeline turns HTTP/2 frames into the same HTTP objects the
 * HTTP/1.1 path uses (trailers arrive as the last content's trailing headers).
 */
final class Http2BackendPool {
    private final FastThreadLocal<Map<InetSocketAddress, Channel>> connections = new FastThreadLocal<>() {
        @Override
        protected Map<InetSocketAddress, Channel> initialValue() {
            return new HashMap<>();
        }
    };
    private final NettyTransport transport;
    private final Duration connectTimeout;

    /** {@code transport} must be the event loops' transport. */
    Http2BackendPool(NettyTransport transport, Duration connectTimeout) {
        this.transport = transport;
        this.connectTimeout = connectTimeout;
    }

    /** Opens a stream to {@code address} on {@code loop} (connecting first if needed); must run on {@code loop}. */
    Future<Http2StreamChannel> openStream(EventLoop loop, InetSocketAddress address) {
        Promise<Http2StreamChannel> promise = loop.newPromise();
        Channel conn = connections.get().get(address);
        if (conn != null && conn.isActive()) {
            open(conn, promise);
            return promise;
        }
        Bootstrap b = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                });
        ChannelFuture f = address.isUnresolved() ? b.connect(address.getHostString(), address.getPort()) : b.connect(address);
        f.addListener(x -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            Channel ch = f.channel();
            connections.get().put(address, ch);
            ch.closeFuture().addListener(y -> connections.get().remove(address, ch));
            open(ch, promise);
        });
        return promise;
    }

    private static void open(Channel conn, Promise<Http2StreamChannel> promise) {
        new Http2StreamChannelBootstrap(conn).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false));
                ch.pipeline().addLast(BackendPool.HANDLER, new BackendHandler());
            }
        }).open().addListener(x -> {
            if (x.isSuccess()) {
                promise.trySuccess((Http2StreamChannel) x.getNow());
            } else {
                promise.tryFailure(x.cause());
            }
        });
    }
}
