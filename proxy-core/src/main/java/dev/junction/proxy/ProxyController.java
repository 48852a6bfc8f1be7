package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared kube-proxy control loop (upstream pkg/proxy/config/config.go plus the event handlers of
 * pkg/proxy/iptables/proxier.go): fabric8 informers on Services, EndpointSlices (all namespaces) and
 * this proxy's Node feed a {@link ServiceChangeTracker} and an {@link EndpointsChangeTracker}; each
 * real change asks a {@link BoundedFrequencyRunner} (burst 2, {@code iptables.minSyncPeriod},
 * {@code iptables.syncPeriod}) to run {@code syncProxyRules}, which folds the pending changes into
 * an immutable {@link ProxySnapshot} and hands it to the {@link Proxier}. Like upstream, nothing is
 * synced before both the Service and the EndpointSlice informers have completed their first list,
 * so a restart never programs a partial view. A failed sync is retried by the runner.
 */
public final class ProxyController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyController.class);

    private final Proxier proxier;
    private final ProxyMetrics metrics;
    private final ServiceChangeTracker serviceChanges = new ServiceChangeTracker();
    private final EndpointsChangeTracker endpointsChanges;
    private final BoundedFrequencyRunner runner;
    private final List<SharedIndexInformer<?>> informers;
    private final Object syncLock = new Object();
    private volatile boolean initialized;
    private volatile NodeInfo node;
    private volatile ProxySnapshot lastSnapshot = ProxySnapshot.EMPTY;
    /** The last snapshot built (handed to the proxier, whether its sync succeeded or not). */
    private ProxySnapshot built = ProxySnapshot.EMPTY;

    private ProxyController(KubernetesClient client, ProxyConfig config, String nodeName, Proxier proxier,
            ProxyMetrics metrics) {
        this.proxier = proxier;
        this.metrics = metrics;
        this.node = NodeInfo.named(nodeName);
        this.endpointsChanges = new EndpointsChangeTracker(nodeName);
        this.runner = new BoundedFrequencyRunner("sync-runner", this::syncProxyRules,
                config.iptables().minSyncPeriod(), config.iptables().syncPeriod(), 2);
        SharedIndexInformer<Service> svc = client.services().inAnyNamespace().runnableInformer(0);
        svc.addEventHandler(new Handler<>(serviceChanges::onAdd, serviceChanges::onUpdate, serviceChanges::onDelete));
        SharedIndexInformer<EndpointSlice> eps = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        eps.addEventHandler(new Handler<EndpointSlice>(s -> endpointsChanges.onSliceUpdate(s, false),
                (o, s) -> endpointsChanges.onSliceUpdate(s, false), s -> endpointsChanges.onSliceUpdate(s, true)));
        SharedIndexInformer<Node> nodes = client.nodes().withName(nodeName).runnableInformer(0);
        nodes.addEventHandler(new Handler<Node>(this::onNode, (o, n) -> onNode(n), n -> false));
        this.informers = List.of(svc, eps, nodes);
        nodes.start();
        CompletableFuture.allOf(svc.start().toCompletableFuture(), eps.start().toCompletableFuture())
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.warn("informers failed to start: {}", error.toString());
                        return;
                    }
                    initialized = true;
                    LOG.info("Services and EndpointSlices synced; starting to sync proxy rules");
                    requestSync();
                });
    }

    /**
     * Starts the informers and the sync runner. Returns at once; the first sync follows the first
     * complete list of Services and EndpointSlices.
     *
     * @param nodeName this proxy's Node name (endpoints on it are local)
     * @param proxier  the mode's rule programmer
     * @param metrics  where sync durations and failures are recorded
     */
    public static ProxyController start(KubernetesClient client, ProxyConfig config, String nodeName, Proxier proxier,
            ProxyMetrics metrics) {
        requireNonNull(client, "client");
        requireNonNull(config, "config");
        requireNonNull(nodeName, "nodeName");
        requireNonNull(proxier, "proxier");
        requireNonNull(metrics, "metrics");
        return new ProxyController(client, config, nodeName, proxier, metrics);
    }

    /** True once Services and EndpointSlices have been listed. */
    public boolean initialized() {
        return initialized;
    }

    /** The snapshot handed to the proxier by the last sync (empty before the first). */
    public ProxySnapshot lastSnapshot() {
        return lastSnapshot;
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        runner.close();
    }

    private void requestSync() {
        metrics.queued();
        runner.run();
    }

    private boolean onNode(Node update) {
        NodeInfo next = NodeInfo.fromNode(update);
        if (!next.equals(node)) {
            node = next;
            return true;
        }
        return false;
    }

    /**
     * Upstream {@code syncProxyRules}'s shared half: fold changes, snapshot, program. The snapshot
     * records the Service ports that changed since the previous one ({@link ProxySnapshot#changedFrom}),
     * so a proxier can touch only those; folding costs O(changed · log n).
     */
    private void syncProxyRules() {
        if (!initialized) {
            return;
        }
        synchronized (syncLock) {
            Instant started = Instant.now();
            long snapshotMillis = started.toEpochMilli();
            Map<NamespacedName, ServiceChangeTracker.Change> serviceChange = serviceChanges.checkout();
            Map<NamespacedName, EndpointsChangeTracker.Change> endpointChange = endpointsChanges.checkout();
            List<EndpointsChangeTracker.Trigger> triggers = endpointsChanges.checkoutTriggers();
            // The base is what the last snapshot held, synced or not: a proxier whose last sync failed
            // holds an older snapshot, sees no chain to it and compares every port.
            ProxySnapshot snapshot = built.next(serviceChange, endpointChange);
            int changed = snapshot.changedSince(built).map(Set::size).orElse(-1);
            built = snapshot;
            long start = System.nanoTime();
            Instant snapshotted = Instant.now();
            try {
                proxier.sync(snapshot, node);
                metrics.synced(Duration.ofNanos(System.nanoTime() - start), snapshotMillis);
                Instant now = Instant.now();
                for (EndpointsChangeTracker.Trigger trigger : triggers) {
                    metrics.networkProgrammed(Duration.between(trigger.triggered(), now));
                    metrics.networkProgrammingStages(Duration.between(trigger.triggered(), trigger.received()),
                            Duration.between(trigger.received(), started), Duration.between(started, snapshotted),
                            Duration.between(snapshotted, now));
                }
                lastSnapshot = snapshot;
                LOG.debug("synced {} service ports ({} changed) in {} ms", snapshot.services().ports().size(), changed,
                        Duration.between(started, now).toMillis());
            } catch (RuntimeException e) {
                metrics.failed(Duration.ofNanos(System.nanoTime() - start));
                throw e;
            }
        }
    }

    /** Adapts informer callbacks to tracker updates that say whether a sync is needed. */
    private final class Handler<T> implements ResourceEventHandler<T> {
        private final java.util.function.Predicate<T> add;
        private final java.util.function.BiPredicate<T, T> update;
        private final java.util.function.Predicate<T> delete;

        Handler(java.util.function.Predicate<T> add, java.util.function.BiPredicate<T, T> update,
                java.util.function.Predicate<T> delete) {
            this.add = add;
            this.update = update;
            this.delete = delete;
        }

        @Override
        public void onAdd(T obj) {
            changed(add.test(obj));
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            changed(update.test(oldObj, newObj));
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed(delete.test(obj));
        }

        private void changed(boolean needed) {
            if (needed && initialized) {
                requestSync();
            }
        }
    }
}
