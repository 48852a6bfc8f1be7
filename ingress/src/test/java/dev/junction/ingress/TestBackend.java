package dev.junction.ingress;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP endpoint on loopback for tests: answers every request with {@code name=<name>} and the
 * request line and proxy headers it saw, one per line; {@code /ws} is a WebSocket echo
 * ({@code <name>:<text>}).
 */
final class TestBackend implements AutoCloseable {
    final String name;
    final InetSocketAddress address;
    final AtomicInteger requests = new AtomicInteger();
    /** Requests whose path contains "smuggled" (must stay 0 in smuggling tests). */
    final AtomicInteger smuggled = new AtomicInteger();
    private final EventLoopGroup group;
    private final Channel server;

    TestBackend(String name, String ip) throws Exception {
        this.name = name;
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(),
                                new HttpObjectAggregator(1 << 24),
                                new WebSocketServerProtocolHandler("/ws"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame(TestBackend.this.name + ":" + f.text()));
                                    }
                                },
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        requests.incrementAndGet();
                                        if (req.uri().contains("smuggled")) {
                                            smuggled.incrementAndGet();
                                        }
                                        Map<String, String> seen = new TreeMap<>();
                                        req.headers().forEach(e -> seen.put(e.getKey().toLowerCase(), e.getValue()));
                                        StringBuilder b = new StringBuilder("name=" + TestBackend.this.name + "\n");
                                        b.append("uri=").append(req.uri()).append('\n');
                                        b.append("method=").append(req.method()).append('\n');
                                        b.append("body-length=").append(req.content().readableBytes()).append('\n');
                                        seen.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
                                        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
                                        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                                        resp.headers().set("X-Backend", TestBackend.this.name);
                                        HttpUtil.setContentLength(resp, body.length);
                                        HttpUtil.setKeepAlive(resp, HttpUtil.isKeepAlive(req));
                                        ctx.writeAndFlush(resp);
                                    }
                                });
                    }
                }).bind(new InetSocketAddress(InetAddress.getByName(ip), 0)).sync().channel();
        address = (InetSocketAddress) server.localAddress();
    }

    String ip() {
        return address.getAddress().getHostAddress();
    }

    int port() {
        return address.getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
