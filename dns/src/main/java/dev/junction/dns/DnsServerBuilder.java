package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Configures a {@link DnsServer}. Option names follow CoreDNS's Corefile ({@code kubernetes},
 * {@code forward}, {@code cache}, {@code autopath}, {@code loadbalance}). Defaults: zone
 * {@code cluster.local}, bind {@code 0.0.0.0}, port 53, TTL 5 s, {@code pods insecure} (kubeadm's
 * Corefile), no {@code endpoint_pod_names}, {@code noendpoints}, {@code fallthrough} or
 * {@code ignore empty_service}, no upstreams, upstream timeout 2 s, cache {@code success 9984 30}
 * and {@code denial 9984 30} (kubeadm's {@code cache 30}), autopath off, round robin on, fast path
 * on.
 */
public final class DnsServerBuilder {
    KubernetesClient client;
    Name zone = Name.fromConstantString("cluster.local.");
    final List<Name> extraZones = new ArrayList<>();
    PodsMode pods = PodsMode.INSECURE;
    boolean endpointPodNames;
    boolean noEndpoints;
    boolean ignoreEmptyService;
    final List<Name> fallthrough = new ArrayList<>();
    int successCapacity = 9984;
    long successTtl = 30;
    int denialCapacity = 9984;
    long denialTtl = 30;
    boolean autopath;
    final List<Name> hostSearch = new ArrayList<>();
    boolean roundRobin = true;
    boolean fastPath = true;
    InetAddress bindAddress = IpLiterals.parse("0.0.0.0").orElseThrow();
    int port = 53;
    long ttl = 5;
    final List<InetSocketAddress> upstreams = new ArrayList<>();
    Duration upstreamTimeout = Duration.ofSeconds(2);
    int ioThreads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

    DnsServerBuilder() {
    }

    /** The API client whose informers feed the index (required; not closed by the server). */
    public DnsServerBuilder client(KubernetesClient client) {
        this.client = requireNonNull(client, "client");
        return this;
    }

    /**
     * The cluster domain, e.g. {@code cluster.local} (a trailing dot is optional).
     *
     * @throws IllegalArgumentException when {@code zone} is not a valid domain name
     */
    public DnsServerBuilder zone(String zone) {
        requireNonNull(zone, "zone");
        try {
            this.zone = Name.fromString(zone.endsWith(".") ? zone : zone + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("zone: " + zone + " (expected: a domain name such as cluster.local)", e);
        }
        return this;
    }

    /**
     * All cluster zones, the first being primary (PTR targets, autopath); replaces {@link #zone}.
     * CoreDNS: {@code kubernetes ZONES...}. Reverse zones ({@code in-addr.arpa}, {@code ip6.arpa})
     * are accepted and ignored: PTR names are always answered when known.
     *
     * @throws IllegalArgumentException when empty or a zone is not a valid domain name
     */
    public DnsServerBuilder zones(List<String> zones) {
        requireNonNull(zones, "zones");
        List<Name> forward = new ArrayList<>();
        for (String z : zones) {
            Name n = parseName("zone", z);
            if (!n.subdomain(Name.fromConstantString("arpa."))) {
                forward.add(n);
            }
        }
        if (forward.isEmpty()) {
            throw new IllegalArgumentException("zones: " + zones + " (expected: at least one forward zone)");
        }
        this.zone = forward.get(0);
        this.extraZones.clear();
        this.extraZones.addAll(forward.subList(1, forward.size()));
        return this;
    }

    /** CoreDNS {@code pods disabled|insecure|verified}. */
    public DnsServerBuilder pods(PodsMode mode) {
        this.pods = requireNonNull(mode, "mode");
        return this;
    }

    /** CoreDNS {@code endpoint_pod_names}: endpoints without hostname are named after their Pod. */
    public DnsServerBuilder endpointPodNames(boolean on) {
        this.endpointPodNames = on;
        return this;
    }

    /** CoreDNS {@code noendpoints}: no EndpointSlice watch, no headless records. */
    public DnsServerBuilder noEndpoints(boolean on) {
        this.noEndpoints = on;
        return this;
    }

    /** CoreDNS {@code ignore empty_service}: ClusterIP Services without ready endpoints are NXDOMAIN. */
    public DnsServerBuilder ignoreEmptyService(boolean on) {
        this.ignoreEmptyService = on;
        return this;
    }

    /**
     * CoreDNS {@code fallthrough [ZONES...]}: NXDOMAIN answers for names under these zones are
     * forwarded upstream instead; an empty list means every zone.
     */
    public DnsServerBuilder fallthrough(List<String> zones) {
        requireNonNull(zones, "zones");
        fallthrough.clear();
        if (zones.isEmpty()) {
            fallthrough.add(Name.root);
        } else {
            zones.forEach(z -> fallthrough.add(parseName("fallthrough", z)));
        }
        return this;
    }

    /**
     * CoreDNS {@code cache}: capacities (entries, 0 = off) and longest TTLs (seconds) of positive
     * ({@code success}) and negative ({@code denial}) answers from upstreams.
     *
     * @throws IllegalArgumentException on negative values
     */
    public DnsServerBuilder cache(int successCapacity, long successTtl, int denialCapacity, long denialTtl) {
        if (successCapacity < 0 || successTtl < 0 || denialCapacity < 0 || denialTtl < 0) {
            throw new IllegalArgumentException("cache: " + successCapacity + "/" + successTtl + "/" + denialCapacity
                    + "/" + denialTtl + " (expected: non-negative capacities and TTLs)");
        }
        this.successCapacity = successCapacity;
        this.successTtl = successTtl;
        this.denialCapacity = denialCapacity;
        this.denialTtl = denialTtl;
        return this;
    }

    /** CoreDNS {@code autopath @kubernetes}: server-side search for pods (runs a Pod informer). */
    public DnsServerBuilder autopath(boolean on) {
        this.autopath = on;
        return this;
    }

    /** The node's search domains, walked by autopath after the cluster ones (CoreDNS reads resolv.conf). */
    public DnsServerBuilder hostSearch(List<String> domains) {
        requireNonNull(domains, "domains");
        hostSearch.clear();
        domains.forEach(d -> hostSearch.add(parseName("search", d)));
        return this;
    }

    /** CoreDNS {@code loadbalance round_robin}: rotate A/AAAA RRsets. */
    public DnsServerBuilder roundRobin(boolean on) {
        this.roundRobin = on;
        return this;
    }

    /** Whether the wire-level fast path answers common queries (on by default; off only for comparison). */
    public DnsServerBuilder fastPath(boolean on) {
        this.fastPath = on;
        return this;
    }

    private static Name parseName(String what, String text) {
        requireNonNull(text, what);
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(what + ": " + text + " (expected: a domain name)", e);
        }
    }

    /** The address to bind UDP and TCP to. */
    public DnsServerBuilder bindAddress(InetAddress bindAddress) {
        this.bindAddress = requireNonNull(bindAddress, "bindAddress");
        return this;
    }

    /**
     * The UDP and TCP port, 0-65535; 0 picks a free ephemeral port (see {@link DnsServer#port()}).
     *
     * @throws IllegalArgumentException when out of range
     */
    public DnsServerBuilder port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        this.port = port;
        return this;
    }

    /**
     * The TTL of every answer and the SOA minimum, in seconds (0-3600).
     *
     * @throws IllegalArgumentException when out of range
     */
    public DnsServerBuilder ttl(long seconds) {
        if (seconds < 0 || seconds > 3600) {
            throw new IllegalArgumentException("ttl: " + seconds + " (expected: 0-3600)");
        }
        this.ttl = seconds;
        return this;
    }

    /** Adds an upstream resolver for names outside the zone; may be called repeatedly. */
    public DnsServerBuilder upstream(InetSocketAddress upstream) {
        requireNonNull(upstream, "upstream");
        if (upstream.isUnresolved()) {
            throw new IllegalArgumentException("upstream: " + upstream + " (expected: an IP address)");
        }
        upstreams.add(upstream);
        return this;
    }

    /** Adds upstream resolvers. */
    public DnsServerBuilder upstreams(List<InetSocketAddress> upstreams) {
        requireNonNull(upstreams, "upstreams").forEach(this::upstream);
        return this;
    }

    /**
     * How long to wait for each upstream before trying the next.
     *
     * @throws IllegalArgumentException when not positive
     */
    public DnsServerBuilder upstreamTimeout(Duration timeout) {
        requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("upstreamTimeout: " + timeout + " (expected: > 0)");
        }
        this.upstreamTimeout = timeout;
        return this;
    }

    /**
     * Netty I/O threads (default: min(2, cores)).
     *
     * @throws IllegalArgumentException when below 1
     */
    public DnsServerBuilder ioThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("ioThreads: " + threads + " (expected: >= 1)");
        }
        this.ioThreads = threads;
        return this;
    }

    /**
     * Parses {@code host[:port]} (port 53 when absent; IPv6 as {@code [addr]:port} or a bare
     * literal) into an upstream address without any name lookup.
     *
     * @throws IllegalArgumentException when {@code spec} is not an IP literal with an optional port
     */
    public static InetSocketAddress parseUpstream(String spec) {
        requireNonNull(spec, "spec");
        String host = spec;
        int port = 53;
        if (spec.startsWith("[")) {
            int end = spec.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("upstream: " + spec + " (expected: host[:port])");
            }
            host = spec.substring(1, end);
            if (end + 1 < spec.length()) {
                port = parsePort(spec, spec.substring(end + 1));
            }
        } else if (spec.indexOf(':') >= 0 && spec.indexOf(':') == spec.lastIndexOf(':')) {
            host = spec.substring(0, spec.indexOf(':'));
            port = parsePort(spec, spec.substring(spec.indexOf(':')));
        }
        InetAddress address = IpLiterals.parse(host).orElseThrow(
                () -> new IllegalArgumentException("upstream: " + spec + " (expected: an IP address with optional :port)"));
        return new InetSocketAddress(address, port);
    }

    private static int parsePort(String spec, String colonPort) {
        try {
            if (!colonPort.startsWith(":")) {
                throw new NumberFormatException();
            }
            int p = Integer.parseInt(colonPort.substring(1));
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("upstream: " + spec + " (expected: host[:port] with port 1-65535)");
        }
    }

    /**
     * Builds the (unstarted) server.
     *
     * @throws IllegalStateException when no client was set
     */
    public DnsServer build() {
        if (client == null) {
            throw new IllegalStateException("client: not set (expected: a KubernetesClient)");
        }
        return new DnsServer(this);
    }
}
