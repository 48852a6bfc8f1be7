package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The proxy's HTTP endpoint (upstream {@code --metrics-bind-address}, default 127.0.0.1:10249):
 * {@code GET /metrics} (Prometheus text) and {@code GET /healthz} (200 when healthy, 503 otherwise;
 * body {@code {"lastUpdated": "...","currentTime": "..."}} as upstream). Anything else: 404.
 */
public final class MetricsServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    private MetricsServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds and starts serving.
     *
     * @param bindAddress {@code host:port}; port 0 picks a free port
     * @throws IllegalArgumentException when bindAddress is not {@code host:port}
     * @throws IllegalStateException    when the port cannot be bound
     */
    public static MetricsServer start(String bindAddress, ProxyMetrics metrics) {
        requireNonNull(metrics, "metrics");
        int colon = bindAddress.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("bindAddress: " + bindAddress + " (expected: host:port)");
        }
        String host = bindAddress.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(bindAddress.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bindAddress: " + bindAddress + " (expected: host:port)", e);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler(metrics));
                        }
                    })
                    .bind(host, port).syncUninterruptibly().channel();
            return new MetricsServer(group, channel);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IllegalStateException("metrics-bind-address " + bindAddress + ": " + e.getMessage(), e);
        }
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ProxyMetrics metrics;

        Handler(ProxyMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri().split("\\?", 2)[0];
            HttpResponseStatus status;
            String body;
            String type = "text/plain; charset=utf-8";
            switch (path) {
                case "/metrics" -> {
                    status = HttpResponseStatus.OK;
                    body = metrics.render();
                    type = "text/plain; version=0.0.4; charset=utf-8";
                }
                case "/healthz", "/livez" -> {
                    status = metrics.healthy() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
                    body = "{\"lastUpdated\": \"" + Instant.ofEpochMilli(metrics.lastSyncMillis())
                            + "\",\"currentTime\": \"" + Instant.now() + "\"}";
                    type = "application/json";
                }
                default -> {
                    status = HttpResponseStatus.NOT_FOUND;
                    body = "404 page not found\n";
                }
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
