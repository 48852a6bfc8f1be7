package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;

/**
 * Identifies one port of one Service, as upstream {@code proxy.ServicePortName} (pkg/proxy/types.go).
 * {@link #toString()} is {@code namespace/name:port}, or {@code namespace/name} for an unnamed port;
 * that string (plus the lower-case protocol) is what kube-proxy hashes into chain names.
 *
 * <p>An immutable value (equality and order over the four fields). Like upstream's per-mode
 * {@code serviceInfo} (pkg/proxy/iptables/proxier.go {@code newServiceInfo}, which computes
 * {@code nameString} and every chain name once when the Service changes), it keeps its string form
 * and, in {@link #derivedName(int, Function)} / {@link #derived}, the chain-name bases and rule
 * fragments of each proxy mode, so that a render of an unchanged Service hashes nothing.
 */
public final class ServicePortName implements Comparable<ServicePortName> {
    /** {@link #derivedName} slot of iptables mode ({@code portProtoHash}). */
    public static final int IPTABLES_NAMES = 0;
    /** {@link #derivedName} slot of nftables mode ({@code servicePortChainNameBase}). */
    public static final int NFTABLES_NAMES = 1;
    /** {@link #derived} slot of iptables mode's rule fragments (chain names and their ASCII bytes). */
    public static final int IPTABLES_FRAGMENTS = 2;
    /** {@link #derived} slot reserved for nftables mode's rule fragments. */
    public static final int NFTABLES_FRAGMENTS = 3;
    /** Number of memo slots. */
    static final int SLOTS = 4;

    private final String namespace;
    private final String name;
    private final String port;
    private final Protocol protocol;
    private final int hash;
    private String string;
    /** Per-mode memo; a racy write only ever stores the same (immutable) value. */
    private final Object[] derived = new Object[SLOTS];

    /**
     * @param namespace the Service's namespace (non-empty)
     * @param name      the Service's name (non-empty)
     * @param port      the port's {@code name} (empty for a single unnamed port)
     * @param protocol  the port's protocol
     * @throws IllegalArgumentException when namespace or name is empty
     */
    public ServicePortName(String namespace, String name, String port, Protocol protocol) {
        this.namespace = requireNonNull(namespace, "namespace");
        this.name = requireNonNull(name, "name");
        this.port = requireNonNull(port, "port");
        this.protocol = requireNonNull(protocol, "protocol");
        if (namespace.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("namespace/name: " + namespace + "/" + name + " (expected: both non-empty)");
        }
        this.hash = ((namespace.hashCode() * 31 + name.hashCode()) * 31 + port.hashCode()) * 31 + protocol.hashCode();
    }

    /**
     * The keys of {@code map} that are ports of {@code service}: contiguous in name order (namespace,
     * name, port, protocol), so found in O(log n + ports of the Service).
     */
    static java.util.Set<ServicePortName> portsOf(java.util.NavigableMap<ServicePortName, ?> map, NamespacedName service) {
        java.util.Set<ServicePortName> out = new java.util.HashSet<>();
        ServicePortName lowest = new ServicePortName(service.namespace(), service.name(), "", Protocol.values()[0]);
        for (ServicePortName key : map.tailMap(lowest, true).keySet()) {
            if (!key.namespace.equals(service.namespace()) || !key.name.equals(service.name())) {
                break;
            }
            out.add(key);
        }
        return out;
    }

    /** The Service's namespace. */
    public String namespace() {
        return namespace;
    }

    /** The Service's name. */
    public String name() {
        return name;
    }

    /** The port's name (empty for a single unnamed port). */
    public String port() {
        return port;
    }

    /** The port's protocol. */
    public Protocol protocol() {
        return protocol;
    }

    /** The Service this port belongs to. */
    public NamespacedName service() {
        return new NamespacedName(namespace, name);
    }

    /**
     * A name derived from this port by a proxy mode, computed by {@code compute} on first use and
     * kept (upstream keeps them in {@code serviceInfo}). {@code compute} must be a pure function of
     * this value.
     *
     * @param slot    {@link #IPTABLES_NAMES} or {@link #NFTABLES_NAMES}
     * @param compute the mode's name function
     * @return the (cached) result of {@code compute.apply(this)}
     */
    public String derivedName(int slot, Function<ServicePortName, String> compute) {
        return derived(slot, String.class, compute);
    }

    /**
     * Any immutable value derived from this port by a proxy mode (e.g. the chain names and rule
     * fragments of one mode, as upstream's {@code serviceInfo} keeps them), computed by
     * {@code compute} on first use and kept for the life of this (immutable) name.
     *
     * @param slot    {@link #IPTABLES_NAMES}, {@link #NFTABLES_NAMES}, {@link #IPTABLES_FRAGMENTS} or
     *                {@link #NFTABLES_FRAGMENTS}; one mode, one type per slot
     * @param type    the value's class
     * @param compute the mode's function, pure in this value; it must return an immutable object
     * @param <T>     the value's type
     * @return the (cached) result of {@code compute.apply(this)}
     * @throws ClassCastException when the slot already holds a value of another type
     */
    public <T> T derived(int slot, Class<T> type, Function<ServicePortName, T> compute) {
        Object value = derived[slot];
        if (value == null) {
            value = requireNonNull(compute.apply(this), "compute returned null");
            derived[slot] = value;
        }
        return type.cast(value);
    }

    @Override
    public String toString() {
        String s = string;
        if (s == null) {
            s = port.isEmpty() ? namespace + "/" + name : namespace + "/" + name + ":" + port;
            string = s;
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof ServicePortName other && hash == other.hash && namespace.equals(other.namespace)
                && name.equals(other.name) && port.equals(other.port) && protocol == other.protocol;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(ServicePortName other) {
        // Field by field, no string building: these are TreeMap keys compared ~10^6 times per sync.
        if (this == other) {
            return 0;
        }
        int c = namespace.compareTo(other.namespace);
        if (c == 0) {
            c = name.compareTo(other.name);
            if (c == 0) {
                c = port.compareTo(other.port);
                if (c == 0) {
                    c = protocol.compareTo(other.protocol);
                }
            }
        }
        return c;
    }
}
