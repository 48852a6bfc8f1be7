package dev.junction.ingress;

import dev.junction.common.net.NettyTransport;
import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandRunner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress controller: informers ({@link IngressWatcher}) feeding an atomically swapped
 * {@link RouteTable}, and a Netty data plane serving HTTP/1.1 on the HTTP port and TLS (SNI,
 * ALPN h2/http1.1) on the HTTPS port, proxying straight to ready endpoints. Built with
 * {@link #builder()}; {@link #start()} binds the ports (0 = ephemeral, see {@link #httpPort()}),
 * {@link #close()} stops everything.
 *
 * <pre>{@code
 * try (IngressController c = IngressController.builder().client(client).httpPort(0).httpsPort(0)
 *         .healthPort(0).build().start()) {
 *     int port = c.httpPort();
 * }
 * }</pre>
 */
public final class IngressController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngressController.class);
    /**
     * System property that forces the data plane's Netty transport, {@code nio}, {@code epoll} or {@code io_uring}
     * (default: native epoll when it loads; {@link NettyTransport#select(String)}).
     */
    public static final String TRANSPORT_PROPERTY = "junction.ingress.transport";

    private final IngressControllerBuilder config;
    private final RouteTableHolder routes = new RouteTableHolder();
    private final IngressMetrics metrics = new IngressMetrics();
    private final List<Channel> listeners = new ArrayList<>();
    private EventLoopGroup group;
    private IngressWatcher watcher;
    private IngressHealthServer health;
    private int httpPort = -1;
    private int httpsPort = -1;
    private int healthPort = -1;

    IngressController(IngressControllerBuilder config) {
        this.config = config;
    }

    /** A builder with the defaults of {@code junction ingress}. */
    public static IngressControllerBuilder builder() {
        return new IngressControllerBuilder();
    }

    /**
     * Starts the informers, binds the ports and returns at once (routes appear when the informers
     * have synced; until then every request gets 404 and /healthz answers 503).
     *
     * @throws IllegalStateException when a port cannot be bound (everything started is closed)
     */
    public IngressController start() {
        try {
            KubernetesClient client = config.client.orElseThrow(() -> new IllegalStateException("client: none (expected: a KubernetesClient)"));
            Optional<SslContext> fallback = Optional.empty();
            if (config.httpsPort >= 0) {
                fallback = SelfSignedCertificates.generate(config.runner, "ingress.local")
                        .flatMap(pem -> {
                            try {
                                return Optional.of(CertificateStore.serverContext(pem.certificatePem(), pem.keyPem()));
                            } catch (Exception e) {
                                return Optional.empty();
                            }
                        });
                if (fallback.isEmpty() && config.defaultSslCertificate.isEmpty()) {
                    log.warn("no default certificate (openssl unavailable): TLS to unknown names will fail");
                }
            }
            CertificateStore certificates = new CertificateStore(config.defaultSslCertificate, fallback);
            // ingress-nginx's upstream-keepalive-connections default: 320 idle connections per worker.
            NettyTransport transport = config.transport;
            BackendPool pool = new BackendPool(transport, 320, config.limits.connectTimeout());
            ProxyContext px = new ProxyContext(routes, pool, new Http2BackendPool(transport, config.limits.connectTimeout()), metrics,
                    config.limits);
            group = new MultiThreadIoEventLoopGroup(config.workerThreads, transport.ioHandlerFactory());
            if (config.httpPort >= 0) {
                Channel ch = bind(transport, config.httpPort, new FrontendInitializer(px, Optional.empty(), config.proxyProtocol));
                httpPort = ((InetSocketAddress) ch.localAddress()).getPort();
            }
            if (config.httpsPort >= 0) {
                Channel ch = bind(transport, config.httpsPort, new FrontendInitializer(px, Optional.of(certificates), config.proxyProtocol));
                httpsPort = ((InetSocketAddress) ch.localAddress()).getPort();
            }
            watcher = new IngressWatcher(client, new RouteTableBuilder(config.controllerName, config.ingressClass),
                    routes, certificates, metrics, config.publishService);
            watcher.start();
            if (config.healthPort >= 0) {
                health = IngressHealthServer.start(new InetSocketAddress(config.bindAddress, config.healthPort),
                        this::ready, metrics::render);
                healthPort = health.port();
            }
            log.info("ingress: http port {}, https port {}, health port {}, transport {}", httpPort, httpsPort, healthPort, transport.label());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Channel bind(NettyTransport transport, int port, FrontendInitializer init) {
        try {
            Channel ch = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(init)
                    .bind(new InetSocketAddress(config.bindAddress, port)).sync().channel();
            listeners.add(ch);
            return ch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding port " + port, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind " + config.bindAddress.getHostAddress() + ":" + port + ": " + e, e);
        }
    }

    /** The bound HTTP port; -1 when disabled. */
    public int httpPort() {
        return httpPort;
    }

    /** The bound HTTPS port; -1 when disabled. */
    public int httpsPort() {
        return httpsPort;
    }

    /** The bound health/metrics port; -1 when disabled. */
    public int healthPort() {
        return healthPort;
    }

    /** Whether the first route table built from fully synced informers is live. */
    public boolean ready() {
        return watcher != null && watcher.synced();
    }

    /** The route table serving now. */
    public RouteTable routeTable() {
        return routes.get();
    }

    /** The metrics registry. */
    public IngressMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        for (Channel c : listeners) {
            c.close().syncUninterruptibly();
        }
        listeners.clear();
        if (watcher != null) {
            watcher.close();
        }
        if (health != null) {
            health.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Settings of an {@link IngressController}; every setter validates and returns {@code this}. */
    public static final class IngressControllerBuilder {
        Optional<KubernetesClient> client = Optional.empty();
        InetAddress bindAddress = anyLocal();
        int httpPort = 80;
        int httpsPort = 443;
        int healthPort = 10254;
        String ingressClass = "junction";
        String controllerName = "junction.dev/ingress-controller";
        Optional<String> publishService = Optional.empty();
        Optional<String> defaultSslCertificate = Optional.empty();
        boolean proxyProtocol;
        int workerThreads = Runtime.getRuntime().availableProcessors();
        CommandRunner runner = CommandRunner.system();
        ProxyContext.Limits limits = ProxyContext.Limits.DEFAULTS;
        NettyTransport transport = NettyTransport.select(TRANSPORT_PROPERTY);

        IngressControllerBuilder() {
        }

        private static InetAddress anyLocal() {
            try {
                return InetAddress.getByAddress(new byte[4]);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The API client (required). */
        public IngressControllerBuilder client(KubernetesClient client) {
            this.client = Optional.of(requireNonNull(client, "client"));
            return this;
        }

        /** Address for all listeners (default 0.0.0.0). */
        public IngressControllerBuilder bindAddress(InetAddress address) {
            this.bindAddress = requireNonNull(address, "address");
            return this;
        }

        /** HTTP port, 0 = ephemeral, -1 = off (default 80). */
        public IngressControllerBuilder httpPort(int port) {
            this.httpPort = port(port, "httpPort");
            return this;
        }

        /** HTTPS port, 0 = ephemeral, -1 = off (default 443). */
        public IngressControllerBuilder httpsPort(int port) {
            this.httpsPort = port(port, "httpsPort");
            return this;
        }

        /** /healthz and /metrics port, 0 = ephemeral, -1 = off (default 10254). */
        public IngressControllerBuilder healthPort(int port) {
            this.healthPort = port(port, "healthPort");
            return this;
        }

        /** The IngressClass name we also answer to (default {@code junction}). */
        public IngressControllerBuilder ingressClass(String name) {
            this.ingressClass = requireNonNull(name, "name");
            return this;
        }

        /** The IngressClass {@code spec.controller} we implement (default {@code junction.dev/ingress-controller}). */
        public IngressControllerBuilder controllerName(String name) {
            this.controllerName = requireNonNull(name, "name");
            return this;
        }

        /** {@code namespace/name} of the Service whose address goes into Ingress status. */
        public IngressControllerBuilder publishService(String namespacedName) {
            this.publishService = Optional.of(namespacedName(namespacedName, "publishService"));
            return this;
        }

        /** {@code namespace/name} of the kubernetes.io/tls Secret used for unknown SNI names. */
        public IngressControllerBuilder defaultSslCertificate(String namespacedName) {
            this.defaultSslCertificate = Optional.of(namespacedName(namespacedName, "defaultSslCertificate"));
            return this;
        }

        /** Expect a PROXY protocol v1/v2 header on every accepted connection (default off). */
        public IngressControllerBuilder proxyProtocol(boolean enabled) {
            this.proxyProtocol = enabled;
            return this;
        }

        /** Event loop threads (default: available processors). */
        public IngressControllerBuilder workerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("workerThreads: " + threads + " (expected: >= 1)");
            }
            this.workerThreads = threads;
            return this;
        }

        /** The Netty transport (default {@link NettyTransport#select(String)} with {@link #TRANSPORT_PROPERTY}); tests run both. */
        IngressControllerBuilder transport(NettyTransport t) {
            this.transport = requireNonNull(t, "transport");
            return this;
        }

        /** Runs {@code openssl} for the self-signed fallback certificate (default: real processes). */
        public IngressControllerBuilder commandRunner(CommandRunner runner) {
            this.runner = requireNonNull(runner, "runner");
            return this;
        }

        /** Keep-alive idle time and the time allowed to send a complete request head (default 60 s). */
        public IngressControllerBuilder idleTimeout(Duration d) {
            limits = new ProxyContext.Limits(limits.maxInitialLine(), limits.maxHeaderSize(), limits.maxBodySize(),
                    positive(d, "idleTimeout"), limits.bodyTimeout(), limits.connectTimeout(), limits.upstreamTimeout());
            return this;
        }

        /** Longest pause inside a request body (default 60 s). */
        public IngressControllerBuilder bodyTimeout(Duration d) {
            limits = new ProxyContext.Limits(limits.maxInitialLine(), limits.maxHeaderSize(), limits.maxBodySize(),
                    limits.idleTimeout(), positive(d, "bodyTimeout"), limits.connectTimeout(), limits.upstreamTimeout());
            return this;
        }

        /** Connect timeout toward endpoints (default 5 s). */
        public IngressControllerBuilder connectTimeout(Duration d) {
            limits = new ProxyContext.Limits(limits.maxInitialLine(), limits.maxHeaderSize(), limits.maxBodySize(),
                    limits.idleTimeout(), limits.bodyTimeout(), positive(d, "connectTimeout"), limits.upstreamTimeout());
            return this;
        }

        /** Time for an endpoint to complete its response (default 60 s). */
        public IngressControllerBuilder upstreamTimeout(Duration d) {
            limits = new ProxyContext.Limits(limits.maxInitialLine(), limits.maxHeaderSize(), limits.maxBodySize(),
                    limits.idleTimeout(), limits.bodyTimeout(), limits.connectTimeout(), positive(d, "upstreamTimeout"));
            return this;
        }

        /** Largest request header block in bytes, 431 above (default 16384). */
        public IngressControllerBuilder maxHeaderSize(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxHeaderSize: " + bytes + " (expected: >= 1024)");
            }
            limits = new ProxyContext.Limits(limits.maxInitialLine(), bytes, limits.maxBodySize(), limits.idleTimeout(),
                    limits.bodyTimeout(), limits.connectTimeout(), limits.upstreamTimeout());
            return this;
        }

        /** The controller; call {@link IngressController#start()}. */
        public IngressController build() {
            if (client.isEmpty()) {
                throw new IllegalStateException("client: none (expected: a KubernetesClient)");
            }
            return new IngressController(this);
        }

        private static int port(int port, String name) {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException(name + ": " + port + " (expected: -1 (off), 0 (ephemeral) or 1-65535)");
            }
            return port;
        }

        private static Duration positive(Duration d, String name) {
            requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }

        static String namespacedName(String value, String name) {
            requireNonNull(value, name);
            int slash = value.indexOf('/');
            if (slash <= 0 || slash == value.length() - 1 || value.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: namespace/name)");
            }
            return value;
        }
    }
}
