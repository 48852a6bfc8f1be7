package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * Identifies one port of one Service, as upstream {@code proxy.ServicePortName} (pkg/proxy/types.go).
 * {@link #toString()} is {@code namespace/name:port}, or {@code namespace/name} for an unnamed port;
 * that string (plus the lower-case protocol) is what kube-proxy hashes into chain names.
 *
 * @param namespace the Service's namespace
 * @param name      the Service's name
 * @param port      the port's {@code name} (empty for a single unnamed port)
 * @param protocol  the port's protocol
 */
public record ServicePortName(String namespace, String name, String port, Protocol protocol)
        implements Comparable<ServicePortName> {
    /** Field by field (no string building: these are TreeMap keys compared ~10^6 times per sync). */
    private static final Comparator<ServicePortName> ORDER = Comparator.comparing(ServicePortName::namespace)
            .thenComparing(ServicePortName::name).thenComparing(ServicePortName::port)
            .thenComparing(ServicePortName::protocol);

    public ServicePortName {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(port, "port");
        requireNonNull(protocol, "protocol");
        if (namespace.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("namespace/name: " + namespace + "/" + name + " (expected: both non-empty)");
        }
    }

    /** The Service this port belongs to. */
    public NamespacedName service() {
        return new NamespacedName(namespace, name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name + (port.isEmpty() ? "" : ":" + port);
    }

    @Override
    public int compareTo(ServicePortName other) {
        return ORDER.compare(this, other);
    }
}
