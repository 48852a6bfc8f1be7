package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
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
import io.netty.util.ReferenceCountUtil;
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
 * {@code HexDumpProxyFrontendHandler}/{@code BackendHandler}: the client is not read until its
 * backend connection is up, the backend channel runs on the client's event loop, buffers pass
 * through without copies, one flush per read batch, backpressure through the write-buffer water
 * marks and auto-read (see {@link Relay}), TCP_NODELAY on both sides, half close propagated after
 * the relayed bytes are written, and a closing side closes the other after flushing. A connect that fails or does not
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
     * @param group        event loops of {@code transport}'s I/O handler
     * @param transport    channel classes (epoll or NIO) of the listener and the upstream connections
     * @param service      the Service address clients meant (for {@link Scheduler#DH})
     * @throws IllegalStateException when the address cannot be bound
     */
    public TcpProxyListener(EventLoopGroup group, NettyTransport transport, String bindHost, int port, ServicePortName name,
            LoadBalancer balancer, InetAddress service) {
        requireNonNull(name, "name");
        requireNonNull(balancer, "balancer");
        requireNonNull(transport, "transport");
        try {
            this.channel = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializerImpl(name, balancer, service, transport))
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
        private final NettyTransport transport;

        ChannelInitializerImpl(ServicePortName name, LoadBalancer balancer, InetAddress service, NettyTransport transport) {
            this.name = name;
            this.balancer = balancer;
            this.service = service;
            this.transport = transport;
        }

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new Frontend(name, balancer, service, transport));
        }
    }

    /** Client side: connects to an endpoint (with retries), then relays (see {@link Relay}). */
    private static final class Frontend extends Relay {
        private final ServicePortName name;
        private final LoadBalancer balancer;
        private final InetAddress service;
        private final NettyTransport transport;
        private final Set<EndpointInfo> failed = new HashSet<>();

        Frontend(ServicePortName name, LoadBalancer balancer, InetAddress service, NettyTransport transport) {
            this.name = name;
            this.balancer = balancer;
            this.service = service;
            this.transport = transport;
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
            Relay backend = new Relay();
            backend.peer = inbound;
            new Bootstrap().group(inbound.eventLoop()).channel(transport.socketChannel())
                    .option(ChannelOption.AUTO_READ, true)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) DIAL_TIMEOUTS.get(attempt).toMillis())
                    .handler(backend)
                    .connect(ep.ip(), ep.port())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            peer = f.channel();
                            balancer.connected(ep);
                            peer.closeFuture().addListener(c -> balancer.disconnected(ep));
                            if (!inbound.isActive()) {
                                peer.close();
                                return;
                            }
                            inbound.config().setAutoRead(true);
                        } else {
                            LOG.debug("{}: connect to {} failed ({}), trying the next endpoint", name, ep.endpoint(),
                                    f.cause().toString());
                            failed.add(ep);
                            connect(inbound, attempt + 1);
                        }
                    });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("{}: client connection failed: {}", name, cause.toString());
            closeOnFlush(ctx.channel());
        }
    }

    /**
     * Relays what one channel reads to its {@code peer}, both on the same event loop: buffers are
     * passed through untouched (no copy), written without a promise and flushed once per read batch
     * ({@code channelReadComplete}), so a batch of reads costs one {@code write} system call.
     * Backpressure: when the peer's outbound buffer passes its high water mark this channel stops
     * reading (auto-read off) until the peer drains below the low water mark.
     */
    private static class Relay extends ChannelInboundHandlerAdapter {
        Channel peer;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel to = peer;
            if (to == null || !to.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            to.write(msg, to.voidPromise());
            if (!to.isWritable()) {
                ctx.channel().config().setAutoRead(false); // ends this read batch; flushed below
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Channel to = peer;
            if (to != null) {
                to.flush();
                // The flush may already have drained the peer (its writability event then came
                // before auto-read was turned off): resume here, or reading would stall.
                if (!ctx.channel().config().isAutoRead() && to.isWritable() && to.isActive()) {
                    ctx.channel().config().setAutoRead(true);
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel to = peer;
            if (ctx.channel().isWritable() && to != null && to.isActive()) {
                to.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                halfClose(ctx.channel(), peer);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer != null) {
                closeOnFlush(peer);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /**
     * {@code from} saw end of stream: once every byte already relayed to {@code to} is written,
     * shut down {@code to}'s output, and close each channel whose both directions are done.
     */
    static void halfClose(Channel from, Channel to) {
        if (to instanceof SocketChannel peer && peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(w -> {
                if (peer.isActive()) {
                    peer.shutdownOutput().addListener(f -> closeIfDone(peer));
                }
            });
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
