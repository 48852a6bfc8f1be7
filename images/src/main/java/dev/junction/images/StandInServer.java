package dev.junction.images;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A running HTTP/1.1 stand-in: one Netty server socket per port, keep-alive, one small event loop.
 * Created by {@link NginxStandIn#start} and {@link WhoamiStandIn#start}; {@link #close()} unbinds
 * every port and stops the event loop.
 */
public final class StandInServer implements AutoCloseable {

    /** Answers one aggregated request; the returned response is written and released by Netty. */
    @FunctionalInterface
    interface Responder {
        FullHttpResponse respond(FullHttpRequest request, Channel channel);
    }

    private final EventLoopGroup group;
    private final List<Channel> channels;

    private StandInServer(EventLoopGroup group, List<Channel> channels) {
        this.group = group;
        this.channels = channels;
    }

    /**
     * Binds {@code host:port} for each port (0 picks an ephemeral port) and serves {@code responder}.
     *
     * @throws IllegalArgumentException when {@code ports} is empty or a port is outside 0..65535
     * @throws IllegalStateException    when a port cannot be bound (everything bound so far is closed)
     */
    static StandInServer start(InetAddress host, List<Integer> ports, Responder responder) {
        return start(host, ports, responder, java.util.Optional.empty());
    }

    /**
     * As {@link #start(InetAddress, List, Responder)}, and when {@code webSocketEchoPath} is given,
     * a WebSocket upgrade on exactly that path opens an echo session (every text or binary message
     * is sent back unchanged; pings are answered by Netty's protocol handler).
     */
    static StandInServer start(InetAddress host, List<Integer> ports, Responder responder, java.util.Optional<String> webSocketEchoPath) {
        requireNonNull(host, "host");
        requireNonNull(ports, "ports");
        requireNonNull(responder, "responder");
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("ports: [] (expected: at least one port)");
        }
        for (int port : ports) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(1 << 20));
                        webSocketEchoPath.ifPresent(path -> ch.pipeline()
                                .addLast(new WebSocketServerProtocolHandler(path))
                                .addLast(new WebSocketEchoHandler()));
                        ch.pipeline().addLast(new RespondingHandler(responder));
                    }
                });
        List<Channel> channels = new ArrayList<>();
        StandInServer server = new StandInServer(group, channels);
        try {
            for (int port : ports) {
                channels.add(bootstrap.bind(host, port).syncUninterruptibly().channel());
            }
        } catch (RuntimeException e) {
            server.close();
            throw new IllegalStateException("bind " + host.getHostAddress() + " " + ports + ": " + e, e);
        }
        return server;
    }

    /** The bound local addresses, in the order the ports were given. */
    public List<InetSocketAddress> localAddresses() {
        return channels.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /** Blocks until every server socket is closed (by {@link #close()} or process exit). */
    public void awaitClose() throws InterruptedException {
        for (Channel channel : channels) {
            channel.closeFuture().sync();
        }
    }

    @Override
    public void close() {
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Echoes every data frame of a WebSocket session back to its sender. */
    private static final class WebSocketEchoHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                ctx.writeAndFlush(frame.retain());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final class RespondingHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Responder responder;

        RespondingHandler(Responder responder) {
            this.responder = responder;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ctx.writeAndFlush(responder.respond(request, ctx.channel()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
