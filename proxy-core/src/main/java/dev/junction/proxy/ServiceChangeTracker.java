package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Service;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates Service changes between two syncs, like upstream {@code ServiceChangeTracker}
 * (kubernetes pkg/proxy/servicechangetracker.go): per Service it keeps the state from before the
 * first unsynced change ({@code previous}) and after the latest ({@code current}), and drops the
 * entry when the two are equal, so a change that is undone before the next sync costs nothing.
 *
 * <p>Thread-safe: informer callbacks call the {@code on…} methods, the sync thread calls {@link #checkout()}.
 */
public final class ServiceChangeTracker {

    /**
     * The ports of one Service before and after the pending changes (empty map: absent or not proxied).
     *
     * @param previous ports as of the last sync
     * @param current  ports now
     */
    public record Change(Map<ServicePortName, ServicePortInfo> previous, Map<ServicePortName, ServicePortInfo> current) {
        public Change {
            previous = Map.copyOf(previous);
            current = Map.copyOf(current);
        }
    }

    private final Map<NamespacedName, Change> items = new LinkedHashMap<>();

    /** Records a new Service. @return true when a sync is needed */
    public boolean onAdd(Service service) {
        requireNonNull(service, "service");
        return update(key(service), Map.of(), ServicePortInfo.fromService(service));
    }

    /** Records a modified Service. @return true when a sync is needed */
    public boolean onUpdate(Service previous, Service current) {
        requireNonNull(previous, "previous");
        requireNonNull(current, "current");
        return update(key(current), ServicePortInfo.fromService(previous), ServicePortInfo.fromService(current));
    }

    /** Records a deleted Service. @return true when a sync is needed */
    public boolean onDelete(Service service) {
        requireNonNull(service, "service");
        return update(key(service), ServicePortInfo.fromService(service), Map.of());
    }

    /** True when changes are waiting for {@link #checkout()}. */
    public synchronized boolean hasPending() {
        return !items.isEmpty();
    }

    /** Returns the accumulated changes (Services whose ports differ) and starts afresh. */
    public synchronized Map<NamespacedName, Change> checkout() {
        Map<NamespacedName, Change> out = Map.copyOf(items);
        items.clear();
        return out;
    }

    private synchronized boolean update(NamespacedName key, Map<ServicePortName, ServicePortInfo> previous,
            Map<ServicePortName, ServicePortInfo> current) {
        Change existing = items.get(key);
        Change change = new Change(existing == null ? previous : existing.previous(), current);
        if (change.previous().equals(change.current())) {
            items.remove(key);
        } else {
            items.put(key, change);
        }
        return !items.isEmpty();
    }

    private static NamespacedName key(Service service) {
        return new NamespacedName(service.getMetadata().getNamespace(), service.getMetadata().getName());
    }
}
