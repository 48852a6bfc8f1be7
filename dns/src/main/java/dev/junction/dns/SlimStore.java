package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer cache that keeps only each object's key and resourceVersion: DNS converts every
 * notification into its own slim records ({@link ServiceRecord}, {@link EndpointSliceRecord},
 * {@link PodTracker}) at once, so a second copy of every API object in the informer would only
 * cost memory (CoreDNS trims its cache objects for the same reason, {@code
 * plugin/kubernetes/object/}). fabric8 needs the key and resourceVersion to detect changes and,
 * on relist, deletions; it gets identity-only objects built on demand. Reports
 * {@link #isFullState()} false, so fabric8 hands every object to the handlers instead of
 * replaying them from this store.
 *
 * @param <T> the resource type
 */
final class SlimStore<T extends HasMetadata> implements ItemStore<T> {
    /** Key ({@code namespace/name}) → resourceVersion ({@code ""} when unset). */
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final Supplier<T> factory;

    private SlimStore(Supplier<T> factory) {
        this.factory = requireNonNull(factory, "factory");
    }

    static SlimStore<Service> services() {
        return new SlimStore<>(Service::new);
    }

    static SlimStore<EndpointSlice> endpointSlices() {
        return new SlimStore<>(EndpointSlice::new);
    }

    static SlimStore<Pod> pods() {
        return new SlimStore<>(Pod::new);
    }

    @Override
    public String getKey(T obj) {
        ObjectMeta m = obj.getMetadata();
        return m.getNamespace() == null ? m.getName() : m.getNamespace() + "/" + m.getName();
    }

    @Override
    public T put(String key, T obj) {
        String rv = obj.getMetadata().getResourceVersion();
        return stub(key, versions.put(key, rv == null ? "" : rv));
    }

    @Override
    public T remove(String key) {
        return stub(key, versions.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return versions.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return versions.entrySet().stream().map(e -> stub(e.getKey(), e.getValue()));
    }

    @Override
    public int size() {
        return versions.size();
    }

    @Override
    public T get(String key) {
        return stub(key, versions.get(key));
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    /** An object carrying only namespace, name and resourceVersion; {@code null} for no version. */
    private T stub(String key, String resourceVersion) {
        if (resourceVersion == null) {
            return null;
        }
        ObjectMeta meta = new ObjectMeta();
        int slash = key.indexOf('/');
        meta.setNamespace(slash < 0 ? null : key.substring(0, slash));
        meta.setName(key.substring(slash + 1));
        meta.setResourceVersion(resourceVersion.isEmpty() ? null : resourceVersion);
        T obj = factory.get();
        obj.setMetadata(meta);
        return obj;
    }
}
