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
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-Service health-check servers of {@code externalTrafficPolicy: Local} Services (kubernetes
 * pkg/proxy/healthcheck/service_health.go): one HTTP listener on each {@code healthCheckNodePort},
 * answering any path with 200 when the node has local ready endpoints for the Service (and the
 * proxy is healthy), 503 otherwise, headers {@code Content-Type: application/json},
 * {@code X-Content-Type-Options: nosniff}, {@code X-Load-Balancing-Endpoint-Weight: N}, and the body
 * <pre>
 * {
 * 	"service": {
 * 		"namespace": "NS",
 * 		"name": "NAME"
 * 	},
 * 	"localEndpoints": N,
 * 	"serviceProxyHealthy": true
 * }
 * </pre>
 * (tab-indented, no trailing newline, as upstream). {@link #sync} opens and closes listeners to
 * match a snapshot; a port that cannot be bound is logged and retried on the next sync.
 */
public final class ServiceHealthServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceHealthServer.class);

    private final String bindHost;
    private final BooleanSupplier proxyHealthy;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<Integer, Channel> listeners = new HashMap<>();
    private final Map<Integer, Status> byPort = new ConcurrentHashMap<>();

    /** Health-check ports of the Local-policy Service ports, as of {@link #synced}. */
    private final Map<ServicePortName, Tracked> tracked = new HashMap<>();
    private ProxySnapshot synced = ProxySnapshot.EMPTY;

    private record Status(NamespacedName service, int localEndpoints) {
    }

    private record Tracked(int nodePort, Status status) {
    }

    /**
     * @param bindHost     address the listeners bind, e.g. {@code 0.0.0.0}
     * @param proxyHealthy upstream's {@code serviceProxyHealthy}, e.g. {@code metrics::healthy}
     */
    public ServiceHealthServer(String bindHost, BooleanSupplier proxyHealthy) {
        this.bindHost = requireNonNull(bindHost, "bindHost");
        this.proxyHealthy = requireNonNull(proxyHealthy, "proxyHealthy");
    }

    /**
     * Serves exactly the health-check node ports of {@code snapshot}'s Local-policy Services, with
     * their current local ready endpoint counts. Looks only at the Service ports that changed since
     * the last call when the snapshot says which ({@link ProxySnapshot#changedSince}), else at all.
     */
    public synchronized void sync(ProxySnapshot snapshot) {
        requireNonNull(snapshot, "snapshot");
        Optional<Set<ServicePortName>> changed = snapshot.changedSince(synced);
        if (changed.isPresent()) {
            changed.get().forEach(name -> track(snapshot, name));
        } else {
            tracked.clear();
            snapshot.services().ports().keySet().forEach(name -> track(snapshot, name));
        }
        synced = snapshot;
        Map<Integer, Status> wanted = new HashMap<>();
        tracked.values().forEach(t -> wanted.merge(t.nodePort(), t.status(),
                (a, b) -> new Status(a.service(), a.localEndpoints() + b.localEndpoints())));
        byPort.putAll(wanted);
        byPort.keySet().retainAll(wanted.keySet());
        listeners.entrySet().removeIf(l -> {
            if (!wanted.containsKey(l.getKey())) {
                l.getValue().close();
                return true;
            }
            return false;
        });
        for (int port : wanted.keySet()) {
            if (!listeners.containsKey(port)) {
                bind(port).ifPresent(ch -> listeners.put(port, ch));
            }
        }
    }

    /** Records {@code name}'s health-check port and local ready endpoints, or forgets it. */
    private void track(ProxySnapshot snapshot, ServicePortName name) {
        ServicePortInfo svc = snapshot.services().ports().get(name);
        if (svc == null || svc.healthCheckNodePort() == 0 || !svc.externalPolicyLocal()) {
            tracked.remove(name);
            return;
        }
        int local = (int) snapshot.endpoints().get(name).stream().filter(x -> x.isLocal() && x.ready()).count();
        tracked.put(name, new Tracked(svc.healthCheckNodePort(), new Status(name.service(), local)));
    }

    /** The ports currently listening. */
    public synchronized java.util.Set<Integer> ports() {
        return java.util.Set.copyOf(listeners.keySet());
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(Channel::close);
        listeners.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The upstream JSON body for one Service. */
    static String body(NamespacedName service, int localEndpoints, boolean healthy) {
        return "{\n\t\"service\": {\n\t\t\"namespace\": \"" + service.namespace() + "\",\n\t\t\"name\": \"" + service.name()
                + "\"\n\t},\n\t\"localEndpoints\": " + localEndpoints + ",\n\t\"serviceProxyHealthy\": " + healthy + "\n}";
    }

    private Optional<Channel> bind(int port) {
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler(port));
                        }
                    })
                    .bind(bindHost, port).syncUninterruptibly().channel();
            return Optional.of(ch);
        } catch (RuntimeException e) {
            LOG.warn("health check node port {}: cannot listen: {}", port, e.toString());
            return Optional.empty();
        }
    }

    /** The bound port of a listener (for tests binding port numbers chosen by the kernel). */
    int boundPort(int port) {
        return ((InetSocketAddress) listeners.get(port).localAddress()).getPort();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final int port;

        Handler(int port) {
            this.port = port;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            Status status = byPort.get(port);
            boolean healthy = proxyHealthy.getAsBoolean();
            int count = status == null ? 0 : status.localEndpoints();
            String text = status == null ? "" : body(status.service(), count, healthy);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    count != 0 && healthy ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            response.headers().set("X-Content-Type-Options", "nosniff");
            response.headers().set("X-Load-Balancing-Endpoint-Weight", Integer.toString(count));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
