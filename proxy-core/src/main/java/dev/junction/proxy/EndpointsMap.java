package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Endpoints of every Service port, merged over all EndpointSlices of the Service: upstream
 * {@code proxy.EndpointsMap}, immutable. Each list is sorted by {@code ip:port} as upstream sorts it.
 *
 * @param endpoints service port name to its endpoints (ready or not)
 */
public record EndpointsMap(SortedMap<ServicePortName, List<EndpointInfo>> endpoints) {
    /** No endpoints. */
    public static final EndpointsMap EMPTY = new EndpointsMap(new TreeMap<>());

    public EndpointsMap {
        // Linear for a naturally ordered input (TreeMap's sorted-map constructor builds the tree in one
        // pass; one put per key would cost O(n log n) compares, ~10^5 at 10,000 ports, on every change).
        TreeMap<ServicePortName, List<EndpointInfo>> copy;
        if (endpoints.comparator() == null) {
            copy = new TreeMap<>(endpoints);
        } else {
            copy = new TreeMap<>();
            copy.putAll(endpoints);
        }
        copy.replaceAll((name, list) -> List.copyOf(list));
        endpoints = Collections.unmodifiableSortedMap(copy);
    }

    /** Builds a map from any map of endpoint lists. */
    public static EndpointsMap of(Map<ServicePortName, List<EndpointInfo>> endpoints) {
        return new EndpointsMap(new TreeMap<>(endpoints));
    }

    /** All endpoints of one port; empty when it has none. */
    public List<EndpointInfo> get(ServicePortName name) {
        return endpoints.getOrDefault(requireNonNull(name, "name"), List.of());
    }

    /** The endpoints that receive traffic now: ready ones (terminating fallback is not implemented yet). */
    public List<EndpointInfo> ready(ServicePortName name) {
        return get(name).stream().filter(EndpointInfo::ready).toList();
    }

    /** This map with each changed Service's ports replaced by its current endpoints. */
    public EndpointsMap apply(Map<NamespacedName, EndpointsChangeTracker.Change> changes) {
        if (changes.isEmpty()) {
            return this;
        }
        TreeMap<ServicePortName, List<EndpointInfo>> next = new TreeMap<>(endpoints);
        next.keySet().removeIf(name -> changes.containsKey(name.service()));
        changes.values().forEach(change -> next.putAll(change.current()));
        return new EndpointsMap(next);
    }
}
