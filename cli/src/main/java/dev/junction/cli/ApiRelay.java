package dev.junction.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Relays TCP connections on a host address (the lab's 127.0.0.1:6443 in the root netns) to the API
 * server's Unix domain socket, which the API server inside {@code jn-node-cp} listens on. This is
 * how kubectl on the host reaches a server in another network namespace without any route or
 * address being added to the root namespace.
 *
 * <p>Shape of Netty's {@code example/proxy/HexDumpProxyFrontendHandler}: auto-read off on the
 * inbound side until the outbound connection is up, read again after each write completes, close
 * after flush.
 */
public final class ApiRelay implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel server;

    private ApiRelay(EventLoopGroup group, Channel server) {
        this.group = group;
        this.server = server;
    }

    /**
     * Starts listening on {@code listen}, relaying each connection to {@code socket}.
     *
     * @throws InterruptedException when interrupted while binding
     * @throws io.netty.channel.ChannelException when the address is in use
     */
    public static ApiRelay start(InetSocketAddress listen, Path socket) throws InterruptedException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(socket, "socket");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Frontend(socket));
                    }
                })
                .bind(listen).sync().channel();
        return new ApiRelay(group, channel);
    }

    /** The bound address (useful when listening on port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully();
    }

    private static final class Frontend extends ChannelInboundHandlerAdapter {
        private final Path socket;
        private Channel outbound;

        Frontend(Path socket) {
            this.socket = socket;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            var connect = new Bootstrap().group(inbound.eventLoop()).channel(NioDomainSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new Backend(inbound))
                    .connect(UnixDomainSocketAddress.of(socket));
            outbound = connect.channel();
            connect.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    inbound.read();
                } else {
                    inbound.close();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (outbound.isActive()) {
                outbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        ctx.channel().read();
                    } else {
                        f.channel().close();
                    }
                });
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(outbound);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    private static final class Backend extends ChannelInboundHandlerAdapter {
        private final Channel inbound;

        Backend(Channel inbound) {
            this.inbound = inbound;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(inbound);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    private static void closeOnFlush(Channel ch) {
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
