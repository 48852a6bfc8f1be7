package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * One endpoint of one Service port, as upstream {@code BaseEndpointInfo} (pkg/proxy/endpoint.go),
 * built from an EndpointSlice endpoint and port. An immutable value (equality over every field).
 *
 * <p>Like upstream's per-mode {@code endpointInfo} (pkg/proxy/iptables/proxier.go
 * {@code newEndpointInfo}, which computes {@code ChainName} once), it keeps its {@code ip:port}
 * string and, in {@link #derivedName} / {@link #derived}, the endpoint chain name (and rule
 * fragments) of each proxy mode for the Service port it was last named for.
 */
public final class EndpointInfo implements Comparable<EndpointInfo> {
    private static final int SLOTS = ServicePortName.SLOTS;

    private final String ip;
    private final int port;
    private final boolean ready;
    private final boolean serving;
    private final boolean terminating;
    private final Optional<String> nodeName;
    private final boolean isLocal;
    private final String endpoint;
    private final int hash;
    /** Per-mode memo of (owner, value); replaced as a whole, so a racy read sees a consistent pair. */
    private final Derived[] derived = new Derived[SLOTS];

    private record Derived(ServicePortName owner, Object value) {
    }

    /**
     * @param ip          IPv4 address of the endpoint
     * @param port        target port (1..65535)
     * @param ready       {@code conditions.ready} (nil means true)
     * @param serving     {@code conditions.serving} (nil means the value of ready)
     * @param terminating {@code conditions.terminating} (nil means false)
     * @param nodeName    {@code nodeName} of the endpoint, when set
     * @param isLocal     true when nodeName equals the proxy's node name
     * @throws IllegalArgumentException when port is out of range
     */
    public EndpointInfo(String ip, int port, boolean ready, boolean serving, boolean terminating,
            Optional<String> nodeName, boolean isLocal) {
        this.ip = requireNonNull(ip, "ip");
        this.nodeName = requireNonNull(nodeName, "nodeName");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        this.port = port;
        this.ready = ready;
        this.serving = serving;
        this.terminating = terminating;
        this.isLocal = isLocal;
        this.endpoint = ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
        this.hash = Objects.hash(ip, port, ready, serving, terminating, nodeName, isLocal);
    }

    /** A ready, serving, non-terminating endpoint on an unknown node. */
    public static EndpointInfo ready(String ip, int port) {
        return new EndpointInfo(ip, port, true, true, false, Optional.empty(), false);
    }

    /** IPv4 address of the endpoint. */
    public String ip() {
        return ip;
    }

    /** Target port (1..65535). */
    public int port() {
        return port;
    }

    /** {@code conditions.ready}. */
    public boolean ready() {
        return ready;
    }

    /** {@code conditions.serving}. */
    public boolean serving() {
        return serving;
    }

    /** {@code conditions.terminating}. */
    public boolean terminating() {
        return terminating;
    }

    /** {@code nodeName} of the endpoint, when set. */
    public Optional<String> nodeName() {
        return nodeName;
    }

    /** True when nodeName equals the proxy's node name. */
    public boolean isLocal() {
        return isLocal;
    }

    /** {@code ip:port} ({@code [ip]:port} for IPv6), as upstream {@code BaseEndpointInfo.String()}. */
    public String endpoint() {
        return endpoint;
    }

    /**
     * A name derived from this endpoint of Service port {@code owner} by a proxy mode (its endpoint
     * chain), computed by {@code compute} on first use and kept while asked for the same owner
     * (upstream keeps it in {@code endpointInfo.ChainName}).
     *
     * @param slot    {@link ServicePortName#IPTABLES_NAMES} or {@link ServicePortName#NFTABLES_NAMES}
     * @param owner   the Service port this endpoint belongs to
     * @param compute the mode's name function, pure in (owner, endpoint)
     * @return the (cached) result of {@code compute.apply(owner, this)}
     */
    public String derivedName(int slot, ServicePortName owner, BiFunction<ServicePortName, EndpointInfo, String> compute) {
        return derived(slot, owner, String.class, compute);
    }

    /**
     * Any immutable value derived from this endpoint of Service port {@code owner} by a proxy mode
     * (e.g. its endpoint chain name and rule fragments, as upstream's {@code endpointInfo} keeps
     * them), computed by {@code compute} on first use and kept while asked for the same owner.
     *
     * @param slot    a {@link ServicePortName} slot constant ({@code IPTABLES_FRAGMENTS}, …); one
     *                mode, one type per slot
     * @param owner   the Service port this endpoint belongs to
     * @param type    the value's class
     * @param compute the mode's function, pure in (owner, endpoint); it must return an immutable object
     * @param <T>     the value's type
     * @return the (cached) result of {@code compute.apply(owner, this)}
     * @throws ClassCastException when the slot holds a value of another type for the same owner
     */
    public <T> T derived(int slot, ServicePortName owner, Class<T> type,
            BiFunction<ServicePortName, EndpointInfo, T> compute) {
        Derived d = derived[slot];
        if (d == null || (d.owner != owner && !d.owner.equals(owner))) {
            d = new Derived(owner, requireNonNull(compute.apply(owner, this), "compute returned null"));
            derived[slot] = d;
        }
        return type.cast(d.value);
    }

    /** Upstream's order for endpoint lists: by {@link #endpoint()} string. */
    @Override
    public int compareTo(EndpointInfo other) {
        return endpoint.compareTo(other.endpoint);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof EndpointInfo other && hash == other.hash && port == other.port && ready == other.ready && serving == other.serving
                && terminating == other.terminating && isLocal == other.isLocal && ip.equals(other.ip)
                && nodeName.equals(other.nodeName);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "EndpointInfo[ip=" + ip + ", port=" + port + ", ready=" + ready + ", serving=" + serving + ", terminating="
                + terminating + ", nodeName=" + nodeName + ", isLocal=" + isLocal + "]";
    }
}
