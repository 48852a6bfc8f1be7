package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * Watches Services and EndpointSlices with fabric8 informers and keeps the current
 * {@link RecordIndex} (CoreDNS: {@code plugin/kubernetes/controller.go}, the {@code dnsController}).
 *
 * <p>Every add/update/delete converts the API object to a slim record ({@link ServiceRecord},
 * {@link EndpointSliceRecord}), marks its Service dirty and asks for a rebuild. A rebuild
 * recompiles only the dirty Services' fragments ({@link RecordIndexBuilder#compile}) and replaces
 * their names in the {@link LiveIndex} (cost proportional to the changed Services' names, not to
 * the cluster: no full-table copy per change). Rebuilds run on one
 * dedicated thread and coalesce: a burst of events (the initial list, a rollout) costs one
 * rebuild, and an event that arrives during a rebuild triggers exactly one more, so every change
 * is visible in the index as soon as the rebuild that follows it completes. Before the first full
 * sync nothing is compiled: the initial list is compiled once, when complete. Names are updated
 * in place (each atomically) and the index object (SOA serial, sync state) is published with a
 * single volatile write; readers never lock.
 *
 * <p>The index reports {@link RecordIndex#synced()} once both informers have completed their first
 * full list. With {@code noendpoints} only Services are watched; with {@code watchPods} a Pod
 * informer feeds the {@link PodTracker} (not part of readiness: pod answers are best effort).
 */
public final class DnsController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsController.class);
    /** Objects per list request (client-go's pager uses 500). */
    private static final long LIST_CHUNK = 500;

    private final IndexOptions options;
    private final boolean noEndpoints;
    private final boolean watchPods;
    private final PodTracker podTracker;
    private final Map<String, ServiceRecord> services = new ConcurrentHashMap<>();
    private final Map<String, EndpointSliceRecord> slices = new ConcurrentHashMap<>();
    /** Service key → slice key → slice; the slices of Services that may not exist (yet). */
    private final Map<String, Map<String, EndpointSliceRecord>> slicesByService = new ConcurrentHashMap<>();
    /** Service keys whose fragment must be recompiled by the next rebuild. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Keys of the objects the handlers have received (published or not), for the sync check. */
    private final Set<String> seenServices = ConcurrentHashMap.newKeySet();
    private final Set<String> seenSlices = ConcurrentHashMap.newKeySet();
    /** The merged names, updated per dirty Service; touched only by the rebuild thread. */
    private final LiveIndex live;
    private final AtomicReference<RecordIndex> index;
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final ExecutorService rebuilder;
    private final ScheduledExecutorService syncPoller;
    private volatile boolean synced;
    private volatile boolean closed;
    private volatile long serial = System.currentTimeMillis() / 1000;
    private SharedIndexInformer<Service> serviceInformer;
    private SharedIndexInformer<EndpointSlice> sliceInformer;
    private SharedIndexInformer<Pod> podInformer;

    /**
     * @param zone the cluster zone, absolute
     * @param ttl  record TTL in seconds
     */
    public DnsController(Name zone, long ttl) {
        this(IndexOptions.of(zone, ttl), false, false, new PodTracker());
    }

    /**
     * @param options     how records are compiled
     * @param noEndpoints CoreDNS {@code noendpoints}: do not watch EndpointSlices (headless
     *                    Services then publish nothing)
     * @param watchPods   whether to run a Pod informer feeding {@code podTracker} (needed by
     *                    {@code pods verified} and autopath)
     * @param podTracker  receives Pods
     */
    public DnsController(IndexOptions options, boolean noEndpoints, boolean watchPods, PodTracker podTracker) {
        this.options = requireNonNull(options, "options");
        this.noEndpoints = noEndpoints;
        this.watchPods = watchPods;
        this.podTracker = requireNonNull(podTracker, "podTracker");
        this.index = new AtomicReference<>(RecordIndexBuilder.empty(options));
        this.live = new LiveIndex(options);
        this.rebuilder = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("dns-index").daemon().factory());
        this.syncPoller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("dns-sync").daemon().factory());
    }

    /** The current snapshot (a volatile read). */
    public RecordIndex index() {
        return index.get();
    }

    /** Whether both informers have completed their first full list. */
    public boolean synced() {
        return synced;
    }

    /**
     * Starts the informers without waiting for their first list (queries meanwhile get SERVFAIL
     * for unknown names).
     */
    public void start(KubernetesClient client) {
        requireNonNull(client, "client");
        // Chunked lists (as client-go's pager does): the HTTP layer may keep the last list body alive.
        serviceInformer = client.services().inAnyNamespace().withLimit(LIST_CHUNK).runnableInformer(0)
                .itemStore(SlimStore.services());
        serviceInformer.addEventHandler(handler(this::upsertService, this::deleteService));
        serviceInformer.exceptionHandler(this::retry);
        if (!noEndpoints) {
            sliceInformer = client.discovery().v1().endpointSlices().inAnyNamespace().withLimit(LIST_CHUNK).runnableInformer(0)
                    .itemStore(SlimStore.endpointSlices());
            sliceInformer.addEventHandler(handler(this::upsertSlice, this::deleteSlice));
            sliceInformer.exceptionHandler(this::retry);
        }
        if (watchPods) {
            podInformer = client.pods().inAnyNamespace().withLimit(LIST_CHUNK).runnableInformer(0)
                    .itemStore(SlimStore.pods());
            podInformer.addEventHandler(handler(podTracker::upsert, podTracker::delete));
            podInformer.exceptionHandler(this::retry);
            podInformer.start();
        }
        // Scheduled before the informers start: a list that completes at once runs pollSync, which
        // shuts the poller down once synced, and scheduling after that would be rejected.
        syncPoller.scheduleWithFixedDelay(this::pollSync, 100, 100, TimeUnit.MILLISECONDS);
        serviceInformer.start().whenComplete((v, e) -> pollSync());
        if (sliceInformer != null) {
            sliceInformer.start().whenComplete((v, e) -> pollSync());
        }
    }

    /**
     * Keeps list/watch retrying (with fabric8's backoff) on every failure, including a failing
     * initial list: a DNS server that starts before the API server must become ready later.
     */
    private boolean retry(boolean started, Throwable error) {
        if (closed) {
            return false;
        }
        log.warn("list/watch failed (started: {}), retrying: {}", started, error.toString());
        return true;
    }

    private synchronized void pollSync() {
        if (synced || serviceInformer == null || (sliceInformer == null && !noEndpoints)) {
            return;
        }
        if (serviceInformer.hasSynced() && (sliceInformer == null || sliceInformer.hasSynced())) {
            // Handler notifications lag the informer's store: wait until every listed object has
            // reached the handlers, so that the first synced index holds the complete initial list.
            if (!seenServices.containsAll(serviceInformer.getStore().listKeys())
                    || sliceInformer != null && !seenSlices.containsAll(sliceInformer.getStore().listKeys())) {
                return;
            }
            synced = true;
            log.info("informers synced: {} services, {} endpoint slices", services.size(), slices.size());
            requestRebuild();
            syncPoller.shutdown();
        }
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> upsert,
            Consumer<T> delete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                upsert.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                upsert.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                delete.accept(obj);
            }
        };
    }

    private void upsertService(Service service) {
        String key = key(service.getMetadata().getNamespace(), service.getMetadata().getName());
        seenServices.add(key);
        Optional<ServiceRecord> record = ServiceRecord.from(service);
        ServiceRecord previous = record.isPresent() ? services.put(key, record.get()) : services.remove(key);
        if (!record.equals(Optional.ofNullable(previous))) {
            changed(key);
        }
    }

    private void deleteService(Service service) {
        String key = key(service.getMetadata().getNamespace(), service.getMetadata().getName());
        seenServices.remove(key);
        if (services.remove(key) != null) {
            changed(key);
        }
    }

    private void upsertSlice(EndpointSlice slice) {
        String key = key(slice.getMetadata().getNamespace(), slice.getMetadata().getName());
        seenSlices.add(key);
        Optional<EndpointSliceRecord> record = EndpointSliceRecord.from(slice);
        if (record.isEmpty()) {
            removeSlice(key);
            return;
        }
        EndpointSliceRecord now = record.get();
        EndpointSliceRecord previous = slices.put(key, now);
        if (now.equals(previous)) {
            return;
        }
        if (previous != null && !previous.serviceKey().equals(now.serviceKey())) {
            dropFromService(previous);
        }
        slicesByService.computeIfAbsent(now.serviceKey(), k -> new ConcurrentHashMap<>()).put(key, now);
        changed(now.serviceKey());
    }

    private void deleteSlice(EndpointSlice slice) {
        String key = key(slice.getMetadata().getNamespace(), slice.getMetadata().getName());
        seenSlices.remove(key);
        removeSlice(key);
    }

    private void removeSlice(String key) {
        EndpointSliceRecord previous = slices.remove(key);
        if (previous != null) {
            dropFromService(previous);
            changed(previous.serviceKey());
        }
    }

    private void dropFromService(EndpointSliceRecord slice) {
        slicesByService.computeIfPresent(slice.serviceKey(), (k, m) -> {
            m.remove(slice.key());
            return m.isEmpty() ? null : m;
        });
        changed(slice.serviceKey());
    }

    private void changed(String serviceKey) {
        dirty.add(serviceKey);
        requestRebuild();
    }

    private static String key(String namespace, String name) {
        return (namespace == null ? "default" : namespace) + "/" + name;
    }

    private void requestRebuild() {
        serial = Math.max(serial, System.currentTimeMillis() / 1000);
        if (!synced) {
            return; // the initial list is compiled once, when it is complete (pollSync)
        }
        if (rebuildPending.compareAndSet(false, true)) {
            try {
                rebuilder.execute(this::rebuild);
            } catch (RejectedExecutionException e) {
                rebuildPending.set(false);
            }
        }
    }

    private void rebuild() {
        rebuildPending.set(false);
        try {
            for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
                String key = it.next();
                it.remove();
                ServiceRecord svc = services.get(key);
                if (svc == null) {
                    live.put(key, null);
                } else {
                    Map<String, EndpointSliceRecord> own = slicesByService.getOrDefault(key, Map.of());
                    live.put(key, RecordIndexBuilder.compile(options, svc, List.copyOf(own.values())));
                }
            }
            index.set(live.publish(serial, synced));
        } catch (RuntimeException e) {
            log.error("rebuilding the DNS index failed", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        syncPoller.shutdownNow();
        if (serviceInformer != null) {
            serviceInformer.close();
        }
        if (sliceInformer != null) {
            sliceInformer.close();
        }
        if (podInformer != null) {
            podInformer.close();
        }
        rebuilder.shutdownNow();
    }
}
