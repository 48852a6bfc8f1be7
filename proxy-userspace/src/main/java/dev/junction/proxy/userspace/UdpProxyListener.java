package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
import static java.util.Objects.requireNonNull;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.ServicePortName;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The UDP listener of one Service port (upstream userspace mode's {@code udpProxySocket},
 * kubernetes v1.25 pkg/proxy/userspace/proxysocket.go): each client address gets a session, a
 * datagram socket connected to the endpoint the {@link LoadBalancer} picked; replies from that
 * endpoint go back to the client from the listener's address; a session idle for
 * {@code idleTimeout} (upstream {@code --udp-timeout}, default 250 ms) is closed.
 */
public final class UdpProxyListener implements AutoCloseable {
    private final Channel channel;
    private final NettyTransport transport;
    private final Map<InetSocketAddress, ChannelFuture> sessions = new ConcurrentHashMap<>();

    /**
     * Binds {@code bindHost:port} (port 0: ephemeral).
     *
     * @param group     event loops of {@code transport}'s I/O handler
     * @param transport channel classes (epoll or NIO) of the listener and the sessions
     * @throws IllegalStateException when the address cannot be bound
     */
    public UdpProxyListener(EventLoopGroup group, NettyTransport transport, String bindHost, int port, ServicePortName name,
            LoadBalancer balancer, InetAddress service, Duration idleTimeout) {
        requireNonNull(name, "name");
        requireNonNull(balancer, "balancer");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(transport, "transport");
        this.transport = transport;
        try {
            this.channel = new Bootstrap().group(group).channel(transport.datagramChannel())
                    .handler(new Listener(group, balancer, service, idleTimeout))
                    .bind(bindHost, port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            throw new IllegalStateException("userspace proxy " + name + ": cannot listen on udp " + bindHost + ":" + port, e);
        }
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Number of open client sessions. */
    public int sessions() {
        return sessions.size();
    }

    @Override
    public void close() {
        sessions.values().forEach(f -> f.channel().close());
        channel.close().syncUninterruptibly();
    }

    private final class Listener extends SimpleChannelInboundHandler<DatagramPacket> {
        private final EventLoopGroup group;
        private final LoadBalancer balancer;
        private final InetAddress service;
        private final Duration idleTimeout;

        Listener(EventLoopGroup group, LoadBalancer balancer, InetAddress service, Duration idleTimeout) {
            this.group = group;
            this.balancer = balancer;
            this.service = service;
            this.idleTimeout = idleTimeout;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress client = packet.sender();
            ChannelFuture session = sessions.get(client);
            if (session == null) {
                Optional<EndpointInfo> ep = balancer.next(client.getAddress(), service, Set.of());
                if (ep.isEmpty()) {
                    return;
                }
                Channel listener = ctx.channel();
                session = new Bootstrap().group(ctx.channel().eventLoop()).channel(transport.datagramChannel())
                        .handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS),
                                        new Session(listener, client));
                            }
                        })
                        .connect(ep.get().ip(), ep.get().port());
                sessions.put(client, session);
                EndpointInfo endpoint = ep.get();
                balancer.connected(endpoint);
                session.channel().closeFuture().addListener(f -> {
                    sessions.remove(client);
                    balancer.disconnected(endpoint);
                });
            }
            io.netty.buffer.ByteBuf payload = packet.content().retain();
            session.addListener(f -> {
                if (f.isSuccess()) {
                    ((ChannelFuture) f).channel().writeAndFlush(payload);
                } else {
                    payload.release();
                }
            });
        }
    }

    /** Endpoint side of one client session: replies go back to the client. */
    private static final class Session extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Channel listener;
        private final InetSocketAddress client;

        Session(Channel listener, InetSocketAddress client) {
            this.listener = listener;
            this.client = client;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
            listener.writeAndFlush(new DatagramPacket(reply.content().retain(), client));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }
    }
}
