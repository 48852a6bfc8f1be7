package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import dev.junction.common.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * Junction's cluster DNS server: UDP and TCP on one port, answering the cluster zone from
 * Services and EndpointSlices (the CoreDNS {@code kubernetes} plugin role) and forwarding other
 * names upstream (the {@code forward} plugin role). Implements the Kubernetes DNS-Based Service
 * Discovery specification, schema 1.1.0 (kubernetes/dns {@code docs/specification.md}).
 *
 * <pre>{@code
 * try (DnsServer dns = DnsServer.builder().client(client).port(0).build()) {
 *     dns.start();
 *     int port = dns.port();
 * }
 * }</pre>
 *
 * With more than one I/O thread, UDP uses one {@code SO_REUSEPORT} socket per thread on the same
 * port, so the kernel spreads clients over the threads; TCP uses one listening socket.
 *
 * <p>Sockets use Netty's native epoll transport when it loads (a read batch's responses leave in one
 * {@code sendmmsg}), else JDK NIO; the system property {@value #TRANSPORT_PROPERTY} ({@code nio},
 * {@code epoll} or {@code io_uring}) forces one ({@link NettyTransport#select(String)}).
 *
 * <p>{@link #start()} returns once all sockets are bound, without waiting for the informers' first
 * list; until then unknown names get SERVFAIL and {@link #ready()} is false.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    private static final int TCP_IDLE_SECONDS = 10;
    private static final int EPHEMERAL_ATTEMPTS = 20;

    private final KubernetesClient client;
    private final Name zone;
    private final long ttl;
    private final InetAddress bindAddress;
    private final int requestedPort;
    private final int ioThreads;
    private final DnsController controller;
    private final DnsMetrics metrics = new DnsMetrics();
    private final PodTracker podTracker = new PodTracker();
    private final DnsQueryProcessor processor;
    /** System property that forces the socket transport: {@code nio}, {@code epoll} or {@code io_uring}. */
    public static final String TRANSPORT_PROPERTY = "junction.dns.transport";

    private EventLoopGroup group;
    private NettyTransport transport;
    private final List<Channel> udp = new ArrayList<>();
    private Channel tcp;
    private volatile int port = -1;

    DnsServer(DnsServerBuilder b) {
        this.client = b.client;
        this.zone = b.zone;
        this.ttl = b.ttl;
        this.bindAddress = b.bindAddress;
        this.requestedPort = b.port;
        this.ioThreads = b.ioThreads;
        List<Name> zones = new ArrayList<>();
        zones.add(zone);
        zones.addAll(b.extraZones);
        IndexOptions options = new IndexOptions(zones, ttl, b.endpointPodNames, b.ignoreEmptyService);
        this.controller = new DnsController(options, b.noEndpoints, b.autopath || b.pods == PodsMode.VERIFIED, podTracker);
        KubernetesHandler kubernetes = new KubernetesHandler(controller::index, b.pods, podTracker, b.roundRobin);
        Name nsName = Name.fromConstantString("ns.dns." + zone);
        Forwarder forwarder = new Forwarder(b.upstreams, b.upstreamTimeout, ip -> isOwnAddress(nsName, ip));
        ResponseCache cache = b.successCapacity == 0 && b.denialCapacity == 0 ? null
                : new ResponseCache(b.successCapacity, b.successTtl, b.denialCapacity, b.denialTtl, System::nanoTime, metrics);
        if (cache != null) {
            metrics.cache(cache);
        }
        DnsQueryProcessor[] self = new DnsQueryProcessor[1];
        Autopath autopath = b.autopath
                ? new Autopath(kubernetes, podTracker, b.hostSearch, q -> self[0].upstream(q))
                : null;
        this.processor = new DnsQueryProcessor(kubernetes, forwarder, cache, autopath, b.fallthrough, b.fastPath, metrics);
        self[0] = this.processor;
    }

    /** Whether {@code ip} is a cluster IP of {@code kube-system/kube-dns}, i.e. this server. */
    private boolean isOwnAddress(Name nsName, InetAddress ip) {
        NameEntry e = controller.index().entry(nsName);
        if (e == null) {
            return false;
        }
        for (org.xbill.DNS.Record r : e.records()) {
            if (r instanceof org.xbill.DNS.ARecord a && a.getAddress().equals(ip)
                    || r instanceof org.xbill.DNS.AAAARecord aaaa && aaaa.getAddress().equals(ip)) {
                return true;
            }
        }
        return false;
    }

    /** A new builder. */
    public static DnsServerBuilder builder() {
        return new DnsServerBuilder();
    }

    /**
     * Starts the informers and binds UDP and TCP.
     *
     * @throws IllegalStateException when already started
     * @throws java.io.UncheckedIOException (as a Netty bind failure) when the port is taken
     */
    public synchronized DnsServer start() {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        transport = NettyTransport.select(TRANSPORT_PROPERTY);
        group = new MultiThreadIoEventLoopGroup(ioThreads, transport.ioHandlerFactory());
        try {
            bind();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        controller.start(client);
        log.info("dns: serving zone {} on {}:{} (udp+tcp, {})", zone, bindAddress.getHostAddress(), port, transport.label());
        return this;
    }

    private void bind() {
        boolean reusePort = ioThreads > 1;
        Bootstrap udpBootstrap = new Bootstrap().group(group).channel(transport.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .handler(new DatagramDnsServerHandler(processor));
        if (reusePort) {
            // One socket per I/O thread on the same port; the kernel spreads clients over them.
            transport.reusePort(udpBootstrap);
        }
        TcpDnsServerHandler tcpHandler = new TcpDnsServerHandler(processor);
        ServerBootstrap tcpBootstrap = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, TCP_IDLE_SECONDS, TimeUnit.SECONDS),
                                new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2),
                                new LengthFieldPrepender(2),
                                tcpHandler);
                    }
                });
        int attempts = requestedPort == 0 ? EPHEMERAL_ATTEMPTS : 1;
        RuntimeException last = null;
        for (int i = 0; i < attempts; i++) {
            Channel first = udpBootstrap.bind(new InetSocketAddress(bindAddress, requestedPort)).syncUninterruptibly().channel();
            int bound = ((InetSocketAddress) first.localAddress()).getPort();
            List<Channel> channels = new ArrayList<>(List.of(first));
            try {
                for (int t = 1; t < (reusePort ? ioThreads : 1); t++) {
                    channels.add(udpBootstrap.bind(new InetSocketAddress(bindAddress, bound)).syncUninterruptibly().channel());
                }
                tcp = tcpBootstrap.bind(new InetSocketAddress(bindAddress, bound)).syncUninterruptibly().channel();
                udp.addAll(channels);
                port = bound;
                return;
            } catch (Exception e) { // Netty rethrows the checked BindException undeclared
                // The ephemeral port is taken on TCP (or by another SO_REUSEPORT owner): try another.
                channels.forEach(c -> c.close().syncUninterruptibly());
                last = e instanceof RuntimeException re ? re
                        : new java.io.UncheckedIOException("bind " + bindAddress.getHostAddress() + ":" + bound,
                                e instanceof java.io.IOException io ? io : new java.io.IOException(e));
                if (requestedPort != 0) {
                    break;
                }
            }
        }
        throw last;
    }

    /** The bound UDP/TCP port (the real one when 0 was requested). */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException("not started");
        }
        return port;
    }

    /** The cluster zone, absolute. */
    public Name zone() {
        return zone;
    }

    /** Whether the informers have completed their first full list (what {@code /readyz} reports). */
    public boolean ready() {
        return controller.synced() && controller.index().synced();
    }

    /** Request and response counters. */
    public DnsMetrics metrics() {
        return metrics;
    }

    /** The Pods known to the server (empty unless autopath or {@code pods verified} is on). */
    public PodTracker pods() {
        return podTracker;
    }

    /** The current record index snapshot. */
    public RecordIndex index() {
        return controller.index();
    }

    /** Stops the informers and closes both sockets; idempotent. The client is not closed. */
    @Override
    public synchronized void close() {
        controller.close();
        udp.forEach(c -> c.close().syncUninterruptibly());
        udp.clear();
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
            tcp = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
