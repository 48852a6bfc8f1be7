package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A Service port's endpoints split by traffic policy, as upstream {@code CategorizeEndpoints}
 * (kubernetes pkg/proxy/topology.go, v1.33), without topology hints:
 * <ul>
 *   <li>{@code cluster}: ready endpoints; when none is ready anywhere, the serving-and-terminating
 *       ones (KEP-1669 terminating fallback). Empty when the port does not use Cluster endpoints.</li>
 *   <li>{@code local}: ready endpoints on this node, or else its serving-and-terminating ones. Empty
 *       when neither traffic policy is Local.</li>
 *   <li>{@code allReachable}: the union, sorted by {@code ip:port}: the endpoints that get a
 *       per-endpoint chain.</li>
 *   <li>{@code hasAnyEndpoints}: some usable endpoint exists anywhere in the cluster.</li>
 * </ul>
 *
 * @param cluster         endpoints for Cluster policy, sorted
 * @param local           endpoints for Local policy, sorted
 * @param allReachable    union of both, sorted
 * @param hasAnyEndpoints whether any usable endpoint exists
 */
public record CategorizedEndpoints(List<EndpointInfo> cluster, List<EndpointInfo> local, List<EndpointInfo> allReachable,
        boolean hasAnyEndpoints) {

    public CategorizedEndpoints {
        cluster = List.copyOf(cluster);
        local = List.copyOf(local);
        allReachable = List.copyOf(allReachable);
    }

    /**
     * Categorizes {@code endpoints} (all endpoints of the port, sorted by {@code ip:port} as
     * {@link EndpointsMap} keeps them; the order is preserved) for {@code svc}.
     */
    public static CategorizedEndpoints of(List<EndpointInfo> endpoints, ServicePortInfo svc) {
        requireNonNull(endpoints, "endpoints");
        requireNonNull(svc, "svc");
        List<EndpointInfo> cluster = List.of();
        boolean hasAny = false;
        if (svc.usesClusterEndpoints()) {
            cluster = filter(endpoints, EndpointInfo::ready);
            if (cluster.isEmpty()) {
                cluster = filter(endpoints, e -> e.serving() && e.terminating());
            }
            hasAny = !cluster.isEmpty();
        }
        if (!svc.usesLocalEndpoints()) {
            return new CategorizedEndpoints(cluster, List.of(), cluster, hasAny);
        }
        boolean localReady = false;
        boolean localTerminating = false;
        for (EndpointInfo e : endpoints) {
            if (e.ready()) {
                hasAny = true;
                localReady |= e.isLocal();
            } else if (e.serving() && e.terminating()) {
                hasAny = true;
                localTerminating |= e.isLocal();
            }
        }
        List<EndpointInfo> local = List.of();
        if (localReady) {
            local = filter(endpoints, e -> e.isLocal() && e.ready());
        } else if (localTerminating) {
            local = filter(endpoints, e -> e.isLocal() && e.serving() && e.terminating());
        }
        if (!svc.usesClusterEndpoints()) {
            return new CategorizedEndpoints(cluster, local, local, hasAny);
        }
        TreeMap<String, EndpointInfo> union = new TreeMap<>();
        cluster.forEach(e -> union.put(e.endpoint(), e));
        local.forEach(e -> union.put(e.endpoint(), e));
        return new CategorizedEndpoints(cluster, local, new ArrayList<>(union.values()), hasAny);
    }

    private static List<EndpointInfo> filter(List<EndpointInfo> endpoints, Predicate<EndpointInfo> keep) {
        int first = 0;
        while (first < endpoints.size() && keep.test(endpoints.get(first))) {
            first++;
        }
        if (first == endpoints.size()) {
            return endpoints; // the common case: every endpoint qualifies, no copy
        }
        List<EndpointInfo> out = new ArrayList<>(endpoints.size());
        for (EndpointInfo e : endpoints) {
            if (keep.test(e)) {
                out.add(e);
            }
        }
        return out;
    }
}
