package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a proxier renders from at one instant: the Service ports and their endpoints, and,
 * when the {@link ProxyController} made it, which Service ports changed since the snapshot before
 * (upstream hands its proxiers the same information as the change trackers' results,
 * {@code UpdateServiceMapResult} / {@code UpdateEndpointsMapResult} in
 * pkg/proxy/servicechangetracker.go and endpointschangetracker.go, which its iptables and nftables
 * proxiers use for partial syncs). Immutable. Equality is by content (services and endpoints); the
 * change set is not part of it.
 */
public final class ProxySnapshot {
    /** Nothing at all. */
    public static final ProxySnapshot EMPTY = new ProxySnapshot(ServicePortMap.EMPTY, EndpointsMap.EMPTY);

    private final ServicePortMap services;
    private final EndpointsMap endpoints;
    private final ServicePortMap baseServices;
    private final EndpointsMap baseEndpoints;
    private final Set<ServicePortName> changed;

    /**
     * A snapshot without change information: a proxier given it compares every port.
     *
     * @param services  all proxied Service ports
     * @param endpoints endpoints per Service port
     */
    public ProxySnapshot(ServicePortMap services, EndpointsMap endpoints) {
        this(services, endpoints, null, null, Set.of());
    }

    private ProxySnapshot(ServicePortMap services, EndpointsMap endpoints, ServicePortMap baseServices,
            EndpointsMap baseEndpoints, Set<ServicePortName> changed) {
        this.services = requireNonNull(services, "services");
        this.endpoints = requireNonNull(endpoints, "endpoints");
        this.baseServices = baseServices;
        this.baseEndpoints = baseEndpoints;
        this.changed = changed;
    }

    /**
     * A snapshot that differs from {@code base} only in the Service ports {@code changed} (their
     * Service, endpoints, or both; added and removed ports included). Keeps references to
     * {@code base}'s two maps, not to {@code base}: with persistent maps they share all but the
     * changed paths with this snapshot's, so a chain of snapshots does not pile up.
     *
     * @throws NullPointerException on a null argument
     */
    public static ProxySnapshot changedFrom(ProxySnapshot base, ServicePortMap services, EndpointsMap endpoints,
            Set<ServicePortName> changed) {
        requireNonNull(base, "base");
        return new ProxySnapshot(services, endpoints, base.services, base.endpoints, Set.copyOf(changed));
    }

    /**
     * The snapshot after folding the change trackers' checked-out changes into this one (upstream
     * {@code ServicePortMap.Update} / {@code EndpointsMap.Update}), recording as changed every Service
     * port named before or after any change ({@link #changedFrom}). O(changed · log n).
     *
     * @param serviceChanges   {@link ServiceChangeTracker#checkout()}
     * @param endpointsChanges {@link EndpointsChangeTracker#checkout()}
     */
    public ProxySnapshot next(Map<NamespacedName, ServiceChangeTracker.Change> serviceChanges,
            Map<NamespacedName, EndpointsChangeTracker.Change> endpointsChanges) {
        Set<ServicePortName> changed = new HashSet<>();
        serviceChanges.values().forEach(c -> {
            changed.addAll(c.previous().keySet());
            changed.addAll(c.current().keySet());
        });
        endpointsChanges.values().forEach(c -> {
            changed.addAll(c.previous().keySet());
            changed.addAll(c.current().keySet());
        });
        return changedFrom(this, services.apply(serviceChanges), endpoints.apply(endpointsChanges), changed);
    }

    /** All proxied Service ports. */
    public ServicePortMap services() {
        return services;
    }

    /** Endpoints per Service port. */
    public EndpointsMap endpoints() {
        return endpoints;
    }

    /**
     * The Service ports that differ between {@code previous} and this snapshot, when this snapshot
     * was made {@link #changedFrom} exactly {@code previous}'s maps (or is {@code previous}: no
     * change); empty when unknown, e.g. a proxier whose last sync failed was given a snapshot in
     * between: compare every port then. O(1).
     */
    public Optional<Set<ServicePortName>> changedSince(ProxySnapshot previous) {
        requireNonNull(previous, "previous");
        if (previous == this || (previous.services == services && previous.endpoints == endpoints)) {
            return Optional.of(Set.of());
        }
        if (baseServices == previous.services && baseEndpoints == previous.endpoints) {
            return Optional.of(changed);
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof ProxySnapshot other && services.equals(other.services) && endpoints.equals(other.endpoints));
    }

    @Override
    public int hashCode() {
        return services.hashCode() * 31 + endpoints.hashCode();
    }

    @Override
    public String toString() {
        return "ProxySnapshot[services=" + services + ", endpoints=" + endpoints + "]";
    }
}
