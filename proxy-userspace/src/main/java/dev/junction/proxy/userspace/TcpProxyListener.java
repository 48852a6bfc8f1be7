package dev.junction.proxy.userspace;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.ServicePortName;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP listener of one Service port (upstream userspace mode's {@code tcpProxySocket},
 * kubernetes v1.25 pkg/proxy/userspace/proxysocket.go), in the shape of Netty's
 * {@code HexDumpProxyFrontendHandler}/{@code BackendHandler}: auto-read off on both sides, the
 * backend channel on the client's event loop, each side reads again only after its last write
 * completed, and a closing side closes the other after flushing. A connect that fails or does not
 * complete within {@link #DIAL_TIMEOUTS} (upstream {@code EndpointDialTimeouts}: 250 ms, 500 ms,
 * 1 s, 2 s) is retried on the next endpoint the {@link LoadBalancer} picks, so a dead backend costs
 * the client a delay, not an error.
 */
public final class TcpProxyListener implements AutoCloseable {
    /** Upstream's per-attempt connect timeouts, one attempt each. */
    public static final List<Duration> DIAL_TIMEOUTS = List.of(Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2));
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxyListener.class);

    private final Channel channel;

    /**
     * Binds {@code bindHost:port} (port 0: ephemeral) and starts accepting.
     *
     * @param service      the Service address clients meant (for {@link Scheduler#DH})
     * @throws IllegalStateException when the address cannot be bound
     */
    public TcpProxyListener(EventLoopGroup group, String bindHost, int port, ServicePortName name, LoadBalancer balancer,
            InetAddress service) {
        requireNonNull(name, "name");
        requireNonNull(balancer, "balancer");
        try {
            this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializerImpl(name, balancer, service))
                    .bind(bindHost, port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            throw new IllegalStateException("userspace proxy " + name + ": cannot listen on " + bindHost + ":" + port, e);
        }
    }

    /** The bound port (the target of the REDIRECT rules). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class ChannelInitializerImpl extends io.netty.channel.ChannelInitializer<Channel> {
        private final ServicePortName name;
        private final LoadBalancer balancer;
        private final InetAddress service;

        ChannelInitializerImpl(ServicePortName name, LoadBalancer balancer, InetAddress service) {
            this.name = name;
            this.balancer = balancer;
            this.service = service;
        }

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new Frontend(name, balancer, service));
        }
    }

    /** Client side: connects to an endpoint (with retries), then relays. */
    private static final class Frontend extends ChannelInboundHandlerAdapter {
        private final ServicePortName name;
        private final LoadBalancer balancer;
        private final InetAddress service;
        private final Set<EndpointInfo> failed = new HashSet<>();
        private Channel outbound;

        Frontend(ServicePortName name, LoadBalancer balancer, InetAddress service) {
            this.name = name;
            this.balancer = balancer;
            this.service = service;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connect(ctx.channel(), 0);
        }

        private void connect(Channel inbound, int attempt) {
            if (!inbound.isActive()) {
                return;
            }
            InetAddress client = ((InetSocketAddress) inbound.remoteAddress()).getAddress();
            Optional<EndpointInfo> endpoint = attempt < DIAL_TIMEOUTS.size()
                    ? balancer.next(client, service, failed) : Optional.empty();
            if (endpoint.isEmpty()) {
                LOG.debug("{}: no endpoint reachable for {}", name, client);
                inbound.close();
                return;
            }
            EndpointInfo ep = endpoint.get();
            new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) DIAL_TIMEOUTS.get(attempt).toMillis())
                    .handler(new Backend(inbound))
                    .connect(ep.ip(), ep.port())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            outbound = f.channel();
                            balancer.connected(ep);
                            outbound.closeFuture().addListener(c -> balancer.disconnected(ep));
                            if (!inbound.isActive()) {
                                outbound.close();
                                return;
                            }
                            inbound.read();
                        } else {
                            LOG.debug("{}: connect to {} failed ({}), trying the next endpoint", name, ep.endpoint(),
                                    f.cause().toString());
                            failed.add(ep);
                            connect(inbound, attempt + 1);
                        }
                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            outbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                halfClose(ctx.channel(), outbound);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (outbound != null) {
                closeOnFlush(outbound);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("{}: client connection failed: {}", name, cause.toString());
            closeOnFlush(ctx.channel());
        }
    }

    /** Endpoint side: relays back to the client. */
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
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                halfClose(ctx.channel(), inbound);
            }
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

    /**
     * {@code from} saw end of stream: shut down {@code to}'s output (our previous writes to it have
     * completed, since {@code from} is only read after them), and close each channel whose both
     * directions are done.
     */
    static void halfClose(Channel from, Channel to) {
        if (to instanceof SocketChannel peer && peer.isActive()) {
            peer.shutdownOutput().addListener(f -> closeIfDone(peer));
        }
        closeIfDone(from);
    }

    private static void closeIfDone(Channel ch) {
        if (ch instanceof SocketChannel socket && socket.isInputShutdown() && socket.isOutputShutdown()) {
            socket.close();
        }
    }

    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
