package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Junction's Kubernetes API server (the kube-apiserver role, with kine's SQLite storage): HTTP/1.1
 * (HTTPS with {@link Builder#tls}, bearer tokens with {@link Builder#tokenAuthenticator}) on a TCP
 * port and optionally on a Unix domain socket (epoll transport when its native
 * library is available, JDK NIO otherwise), serving discovery, CRUD, watch
 * and server-side tables for the resources in {@link Resources}. State lives in
 * {@code <dataDir>/state.db} (SQLite) or in etcd ({@link Builder#storageBackend}). Build with {@link #builder()}, then {@link #start()} and
 * {@link #close()}.
 *
 * <pre>{@code
 * try (ApiServer server = ApiServer.builder().dataDir(dir).port(0).build().start()) {
 *     String url = server.url(); // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {
    /** Bytes queued for one connection beyond which a watch is considered too slow and is closed. */
    static final int WATCH_BUFFER_LIMIT = 64 << 20;
    /** kube-apiserver's default {@code --etcd-compaction-interval}. */
    public static final java.time.Duration DEFAULT_ETCD_COMPACTION_INTERVAL = java.time.Duration.ofMinutes(5);
    /** Request worker threads (connections are spread over them; a write waiting for durability parks one). */
    static final int WORKER_THREADS = 32;

    private final Builder config;
    private Store store;
    private EventLoopGroup group;
    private EventExecutorGroup handlers;
    private Channel tcp;
    private Channel unix;
    private int port;
    private SslContext sslContext;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private ApiServer(Builder config) {
        this.config = config;
    }

    /** A builder with the kube-apiserver defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the store, runs the bootstrap and binds the listeners; returns once listening.
     *
     * @return this server
     * @throws IllegalStateException when already started, the store cannot be opened or a bind fails
     */
    public synchronized ApiServer start() {
        if (store != null) {
            throw new IllegalStateException("already started");
        }
        ClusterIpAllocator ips = new ClusterIpAllocator(config.serviceCidr);
        NodePortAllocator ports = new NodePortAllocator(config.nodePortRange);
        Storage storage = config.storageBackend.equals("etcd3")
                ? new EtcdStorage(config.etcdServers, config.etcdPrefix, config.etcdCompactionInterval)
                : new SqliteStorage(config.dataDir, config.changeLogRetention);
        try {
            store = new Store(storage, config.watchWindow);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
        try {
            ObjectRegistry registry = new ObjectRegistry(store, new ServiceAllocations(ips, ports));
            String advertise = config.advertiseAddress.orElseGet(() -> defaultAdvertiseAddress(config.bindAddress));
            new Bootstrap(registry, ips.first(), advertise, config.advertisePort).run();
            boolean epoll = Epoll.isAvailable();
            IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            group = new MultiThreadIoEventLoopGroup(2, io);
            // writers wait for their group commit / etcd transaction off the monitor: more workers
            // than cores lets concurrent writes share one fsync
            handlers = new DefaultEventExecutorGroup(WORKER_THREADS);
            ApiHandler handler = new ApiHandler(registry, advertise + ":" + config.advertisePort, handlers, config.tokens);
            if (config.tlsCertFile.isPresent()) {
                sslContext = SslContextBuilder.forServer(config.tlsCertFile.get().toFile(), config.tlsKeyFile.get().toFile())
                        .protocols("TLSv1.3", "TLSv1.2").build();
            }
            handlers.next().scheduleWithFixedDelay(() -> {
                try {
                    registry.reapExpired();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(ApiServer.class).warn("graceful-deletion reaper failed", e);
                }
            }, 1, 1, TimeUnit.SECONDS);
            Class<? extends ServerChannel> tcpClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            tcp = bind(tcpClass, new InetSocketAddress(config.bindAddress, config.port), handler);
            port = ((InetSocketAddress) tcp.localAddress()).getPort();
            if (config.unixSocket.isPresent()) {
                Path socket = config.unixSocket.get();
                Files.deleteIfExists(socket);
                if (socket.getParent() != null) {
                    Files.createDirectories(socket.getParent());
                }
                unix = epoll ? bind(EpollServerDomainSocketChannel.class, new DomainSocketAddress(socket.toFile()), handler)
                        : bind(NioServerDomainSocketChannel.class, UnixDomainSocketAddress.of(socket), handler);
            }
            return this;
        } catch (SSLException e) {
            close();
            throw new IllegalStateException("TLS: " + e.getMessage(), e);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The bound TCP port (the ephemeral one when configured with port 0). */
    public synchronized int port() {
        if (tcp == null) {
            throw new IllegalStateException("not started");
        }
        return port;
    }

    /** {@code http(s)://<host>:<port>}, with 127.0.0.1 when bound to the wildcard address. */
    public String url() {
        String host = config.bindAddress.equals("0.0.0.0") || config.bindAddress.equals("::") ? "127.0.0.1"
                : config.bindAddress;
        return (config.tlsCertFile.isPresent() ? "https://" : "http://") + host + ":" + port();
    }

    /** The Unix domain socket path, when configured. */
    public Optional<Path> unixSocket() {
        return config.unixSocket;
    }

    /** Stops listening, ends open watches and closes the store. Idempotent. */
    @Override
    public synchronized void close() {
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
            tcp = null;
        }
        if (unix != null) {
            unix.close().syncUninterruptibly();
            unix = null;
            try {
                Files.deleteIfExists(config.unixSocket.get());
            } catch (IOException e) {
                // a stale socket file is replaced at the next start
            }
        }
        connections.close().awaitUninterruptibly();
        // both groups pass events to each other while connections wind down: stop them together,
        // each after a short quiet period
        Future<?> io = group == null ? null : group.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS);
        Future<?> app = handlers == null ? null : handlers.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS);
        if (io != null) {
            io.syncUninterruptibly();
        }
        if (app != null) {
            app.syncUninterruptibly();
        }
        group = null;
        handlers = null;
        if (store != null) {
            store.close();
        }
    }

    private Channel bind(Class<? extends ServerChannel> channelClass, java.net.SocketAddress address, ApiHandler handler) {
        return new ServerBootstrap().group(group).channel(channelClass)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 20, WATCH_BUFFER_LIMIT))
                .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                if (sslContext != null) {
                    ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast("http", new HttpServerCodec());
                ch.pipeline().addLast("aggregator", new HttpObjectAggregator(64 << 20));
                ch.pipeline().addLast("api", handler);
            }
        }).bind(address).syncUninterruptibly().channel();
    }

    private static String defaultAdvertiseAddress(String bindAddress) {
        if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) {
            return bindAddress;
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp() && !nif.isLoopback()) {
                    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            return a.getHostAddress();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            // fall through to loopback
        }
        return "127.0.0.1";
    }

    /** Configuration with kube-apiserver's flag defaults. */
    public static final class Builder {
        private Path dataDir;
        private String bindAddress = "0.0.0.0";
        private int port = 6443;
        private Optional<Path> unixSocket = Optional.empty();
        private String serviceCidr = "10.96.0.0/12";
        private String nodePortRange = "30000-32767";
        private Optional<String> advertiseAddress = Optional.empty();
        private int advertisePort = 6443;
        private int watchWindow = 10_000;
        private long changeLogRetention = Store.DEFAULT_LOG_RETAIN;
        private String storageBackend = "sqlite";
        private java.util.List<String> etcdServers = java.util.List.of("http://127.0.0.1:2379");
        private String etcdPrefix = "/registry";
        private java.time.Duration etcdCompactionInterval = DEFAULT_ETCD_COMPACTION_INTERVAL;
        private Optional<Path> tlsCertFile = Optional.empty();
        private Optional<Path> tlsKeyFile = Optional.empty();
        private Optional<TokenAuthenticator> tokens = Optional.empty();

        private Builder() {
        }

        /** Directory holding {@code state.db} (required; created when missing). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Listen address, default {@code 0.0.0.0}. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** TCP port, default 6443; 0 picks an ephemeral port (see {@link ApiServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
            this.port = port;
            return this;
        }

        /** Also serve on this Unix domain socket (epoll only). */
        public Builder unixSocket(Path unixSocket) {
            this.unixSocket = Optional.of(requireNonNull(unixSocket, "unixSocket"));
            return this;
        }

        /** {@code --service-cluster-ip-range}, default {@code 10.96.0.0/12}. */
        public Builder serviceCidr(String serviceCidr) {
            new ClusterIpAllocator(requireNonNull(serviceCidr, "serviceCidr"));
            this.serviceCidr = serviceCidr;
            return this;
        }

        /** {@code --service-node-port-range}, default {@code 30000-32767}. */
        public Builder nodePortRange(String nodePortRange) {
            new NodePortAllocator(requireNonNull(nodePortRange, "nodePortRange"));
            this.nodePortRange = nodePortRange;
            return this;
        }

        /** Address published in the {@code kubernetes} Endpoints/EndpointSlice (default: bind address or first host IPv4). */
        public Builder advertiseAddress(String advertiseAddress) {
            this.advertiseAddress = Optional.of(requireNonNull(advertiseAddress, "advertiseAddress"));
            return this;
        }

        /** Port published for the {@code kubernetes} Service's targetPort and endpoints, default 6443. */
        public Builder advertisePort(int advertisePort) {
            if (advertisePort < 1 || advertisePort > 65535) {
                throw new IllegalArgumentException("advertisePort: " + advertisePort + " (expected: 1-65535)");
            }
            this.advertisePort = advertisePort;
            return this;
        }

        /** Recent events kept in memory for watches, default 10000. */
        public Builder watchWindow(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("watchWindow: " + events + " (expected: >= 1)");
            }
            this.watchWindow = events;
            return this;
        }

        /** Revisions kept in the SQLite change log; older watches get 410 Expired. Default 100000. */
        public Builder changeLogRetention(long revisions) {
            if (revisions < 1) {
                throw new IllegalArgumentException("changeLogRetention: " + revisions + " (expected: >= 1)");
            }
            this.changeLogRetention = revisions;
            return this;
        }

        /**
         * Serves TLS on the TCP port and the Unix socket with this PEM certificate (chain) and
         * PKCS#8 PEM key, as kube-apiserver's {@code --tls-cert-file}/{@code --tls-private-key-file}.
         */
        public Builder tls(Path certFile, Path keyFile) {
            this.tlsCertFile = Optional.of(requireNonNull(certFile, "certFile"));
            this.tlsKeyFile = Optional.of(requireNonNull(keyFile, "keyFile"));
            return this;
        }

        /** Requires a bearer token from this authenticator on every request but /healthz, /livez, /readyz. */
        public Builder tokenAuthenticator(TokenAuthenticator tokens) {
            this.tokens = Optional.of(requireNonNull(tokens, "tokens"));
            return this;
        }

        /**
         * {@code --storage-backend}: {@code sqlite} (default; {@code <data-dir>/state.db}) or
         * {@code etcd3} (kube-apiserver's name; several API servers may share one etcd).
         *
         * @throws IllegalArgumentException for any other name
         */
        public Builder storageBackend(String backend) {
            if (!backend.equals("sqlite") && !backend.equals("etcd3")) {
                throw new IllegalArgumentException("storageBackend: " + backend + " (expected: sqlite or etcd3)");
            }
            this.storageBackend = backend;
            return this;
        }

        /** {@code --etcd-servers}: etcd client URLs, default {@code http://127.0.0.1:2379}. */
        public Builder etcdServers(java.util.List<String> urls) {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("etcdServers: empty (expected: at least one URL)");
            }
            this.etcdServers = java.util.List.copyOf(urls);
            return this;
        }

        /**
         * {@code --etcd-compaction-interval}: how often etcd's history is compacted ({@link EtcdCompactor}),
         * default 5 min as kube-apiserver; zero disables compaction.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder etcdCompactionInterval(java.time.Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("etcdCompactionInterval: " + interval + " (expected: >= 0)");
            }
            this.etcdCompactionInterval = interval;
            return this;
        }

        /** {@code --etcd-prefix}: key prefix, default {@code /registry} (as kube-apiserver). */
        public Builder etcdPrefix(String prefix) {
            if (!prefix.startsWith("/")) {
                throw new IllegalArgumentException("etcdPrefix: " + prefix + " (expected: starting with /)");
            }
            this.etcdPrefix = prefix;
            return this;
        }

        /** @throws IllegalStateException when {@link #dataDir} was not set for the SQLite backend */
        public ApiServer build() {
            if (dataDir == null && storageBackend.equals("sqlite")) {
                throw new IllegalStateException("dataDir: null (expected: a directory)");
            }
            return new ApiServer(this);
        }
    }
}
