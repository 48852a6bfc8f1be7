package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Ingresses, IngressClasses, Services, EndpointSlices and Secrets with fabric8 informers
 * and, after every change, rebuilds the route table and certificates from the informers' caches
 * and publishes them atomically (like ingress-nginx's store + sync queue, without an nginx reload:
 * open connections and WebSockets are not touched). Rebuilds run on one thread and coalesce: a
 * burst of events costs one rebuild, and an event during a rebuild causes exactly one more.
 * After each rebuild, new problems become Events and the served Ingresses get their
 * {@code status.loadBalancer}.
 */
final class IngressWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngressWatcher.class);

    private final KubernetesClient client;
    private final RouteTableBuilder builder;
    private final RouteTableHolder routes;
    private final CertificateStore certificates;
    private final IngressMetrics metrics;
    private final Optional<String> publishService;
    private final EventRecorder events;
    private final ExecutorService rebuilder = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("ingress-sync").daemon().factory());
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ingress-sync-poll").daemon().factory());
    private final AtomicBoolean pending = new AtomicBoolean();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<Ingress> ingressInformer;
    private SharedIndexInformer<IngressClass> classInformer;
    private SharedIndexInformer<Service> serviceInformer;
    private SharedIndexInformer<EndpointSlice> sliceInformer;
    private SharedIndexInformer<Secret> secretInformer;
    private volatile boolean synced;
    private volatile boolean closed;
    private long generation;

    IngressWatcher(KubernetesClient client, RouteTableBuilder builder, RouteTableHolder routes,
            CertificateStore certificates, IngressMetrics metrics, Optional<String> publishService) {
        this.client = requireNonNull(client, "client");
        this.builder = requireNonNull(builder, "builder");
        this.routes = requireNonNull(routes, "routes");
        this.certificates = requireNonNull(certificates, "certificates");
        this.metrics = requireNonNull(metrics, "metrics");
        this.publishService = requireNonNull(publishService, "publishService");
        this.events = new EventRecorder(client);
    }

    /** Whether every informer has listed once and the first route table is published. */
    boolean synced() {
        return synced;
    }

    void start() {
        ingressInformer = add(client.network().v1().ingresses().inAnyNamespace().runnableInformer(0));
        classInformer = add(client.network().v1().ingressClasses().runnableInformer(0));
        serviceInformer = add(client.services().inAnyNamespace().runnableInformer(0));
        sliceInformer = add(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0));
        secretInformer = add(client.secrets().inAnyNamespace().runnableInformer(0));
        // Scheduled before the informers start: their first events can finish the first sync, which
        // shuts the poller down, and scheduling after that would be rejected.
        poller.scheduleWithFixedDelay(this::pollSync, 50, 50, TimeUnit.MILLISECONDS);
        for (SharedIndexInformer<?> i : informers) {
            i.start();
        }
    }

    private <T extends HasMetadata> SharedIndexInformer<T> add(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                changed();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed();
            }
        });
        informer.exceptionHandler((started, error) -> {
            if (closed) {
                return false;
            }
            log.warn("list/watch failed (started: {}), retrying: {}", started, error.toString());
            return true;
        });
        informers.add(informer);
        return informer;
    }

    private void pollSync() {
        if (synced) {
            return;
        }
        for (SharedIndexInformer<?> i : informers) {
            if (!i.hasSynced()) {
                return;
            }
        }
        changed();
    }

    private void changed() {
        if (closed) {
            return;
        }
        if (pending.compareAndSet(false, true)) {
            try {
                rebuilder.execute(this::rebuild);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.set(false);
            }
        }
    }

    private void rebuild() {
        pending.set(false);
        for (SharedIndexInformer<?> i : informers) {
            if (!i.hasSynced()) {
                return;
            }
        }
        try {
            ClusterState state = snapshot();
            RouteTableBuilder.Result result = builder.build(state, ++generation);
            certificates.update(result.tls(), state.secrets());
            routes.set(result.table());
            int rejected = (int) result.problems().stream().filter(IngressProblem::rejected)
                    .map(IngressProblem::ingress).distinct().count();
            metrics.routeTable(generation, rejected);
            if (!synced) {
                synced = true;
                poller.shutdown();
                log.info("ingress: first sync done, {} ingresses served", result.accepted().size());
            }
            Map<String, Ingress> byKey = new HashMap<>();
            state.ingresses().forEach(i -> byKey.put(RouteTableBuilder.key(i), i));
            events.report(result.problems(), byKey::get);
            writeStatus(state, result.accepted(), byKey);
        } catch (RuntimeException e) {
            log.error("route table rebuild failed; keeping the previous table", e);
        }
    }

    private void writeStatus(ClusterState state, List<String> accepted, Map<String, Ingress> byKey) {
        if (publishService.isEmpty()) {
            return;
        }
        Service svc = state.services().get(publishService.get());
        if (svc == null) {
            return;
        }
        List<IngressLoadBalancerIngress> addresses = IngressStatusWriter.addresses(svc);
        for (String key : accepted) {
            Ingress ing = byKey.get(key);
            if (ing != null) {
                IngressStatusWriter.write(client, ing, addresses);
            }
        }
    }

    private ClusterState snapshot() {
        Map<String, Service> services = new HashMap<>();
        for (Service s : serviceInformer.getStore().list()) {
            services.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
        }
        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        for (EndpointSlice s : sliceInformer.getStore().list()) {
            Map<String, String> labels = s.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get(RouteTableBuilder.SERVICE_NAME_LABEL);
            if (svc != null) {
                slices.computeIfAbsent(s.getMetadata().getNamespace() + "/" + svc, k -> new ArrayList<>()).add(s);
            }
        }
        Map<String, Secret> secrets = new HashMap<>();
        for (Secret s : secretInformer.getStore().list()) {
            if ("kubernetes.io/tls".equals(s.getType())) {
                secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
            }
        }
        return new ClusterState(ingressInformer.getStore().list(), classInformer.getStore().list(), services, slices, secrets);
    }

    @Override
    public void close() {
        closed = true;
        for (SharedIndexInformer<?> i : informers) {
            try {
                i.close();
            } catch (RuntimeException e) {
                log.debug("closing informer: {}", e.toString());
            }
        }
        poller.shutdownNow();
        rebuilder.shutdownNow();
    }
}
