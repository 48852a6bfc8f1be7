package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * All proxied Service ports, sorted by name: upstream {@code proxy.ServicePortMap}, but immutable;
 * {@link #apply} returns a new map.
 *
 * @param ports service port name to its info
 */
public record ServicePortMap(SortedMap<ServicePortName, ServicePortInfo> ports) {
    /** No Services. */
    public static final ServicePortMap EMPTY = new ServicePortMap(new TreeMap<>());

    public ServicePortMap {
        ports = Collections.unmodifiableSortedMap(new TreeMap<>(ports));
    }

    /** Builds a map from any map of ports. */
    public static ServicePortMap of(Map<ServicePortName, ServicePortInfo> ports) {
        return new ServicePortMap(new TreeMap<>(ports));
    }

    /** The info of one port. */
    public Optional<ServicePortInfo> get(ServicePortName name) {
        return Optional.ofNullable(ports.get(requireNonNull(name, "name")));
    }

    /** This map with each changed Service's ports replaced by its current ports. */
    public ServicePortMap apply(Map<NamespacedName, ServiceChangeTracker.Change> changes) {
        if (changes.isEmpty()) {
            return this;
        }
        TreeMap<ServicePortName, ServicePortInfo> next = new TreeMap<>(ports);
        next.keySet().removeIf(name -> changes.containsKey(name.service()));
        changes.values().forEach(change -> next.putAll(change.current()));
        return new ServicePortMap(next);
    }
}
