package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Service backend resolved to its ready endpoints (ingress-nginx's "upstream"): the addresses
 * come straight from the Service's EndpointSlices (never the ClusterIP), in a stable order, and
 * {@link #next()} rotates through them round-robin.
 *
 * @param namespace the Service's namespace
 * @param service   the Service's name
 * @param port      the Ingress's port reference as written ({@code 8080} or {@code http})
 * @param endpoints ready endpoint addresses (may be empty: requests then get 503); an
 *                  ExternalName Service yields one unresolved address
 * @param protocol  how to talk to the endpoints
 * @param problem   why there are no endpoints, when known ("service not found", …)
 */
public record Upstream(String namespace, String service, String port, List<InetSocketAddress> endpoints,
        BackendProtocol protocol, Optional<String> problem, AtomicInteger cursor) {

    public Upstream {
        requireNonNull(namespace, "namespace");
        requireNonNull(service, "service");
        requireNonNull(port, "port");
        endpoints = List.copyOf(endpoints);
        requireNonNull(protocol, "protocol");
        requireNonNull(problem, "problem");
        requireNonNull(cursor, "cursor");
    }

    /** An upstream with a fresh round-robin cursor. */
    public static Upstream of(String namespace, String service, String port, List<InetSocketAddress> endpoints,
            BackendProtocol protocol, Optional<String> problem) {
        return new Upstream(namespace, service, port, endpoints, protocol, problem, new AtomicInteger());
    }

    /** The index of the next endpoint round-robin; requires a non-empty endpoint list. */
    public int nextIndex() {
        return Math.floorMod(cursor.getAndIncrement(), endpoints.size());
    }

    /** {@code namespace/service:port}, the label used in logs and metrics. */
    public String label() {
        return namespace + "/" + service + ":" + port;
    }
}
