package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small garbage collector (the background-propagation part of upstream
 * {@code pkg/controller/garbagecollector}): deletes a Pod, ReplicaSet or EndpointSlice whose
 * controller ownerReference names a ReplicaSet, Deployment, Service or Endpoints that no longer
 * exists (or exists with another UID). Absence is confirmed with a live GET before deleting, like
 * upstream's {@code attemptToDeleteItem}. Non-controller owner references and other kinds are ignored.
 */
final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

    private final KubernetesClient client;
    private final Informers informers;
    private final Map<String, SharedIndexInformer<? extends HasMetadata>> owners;
    final ControllerLoop loop;

    GarbageCollector(KubernetesClient client, Informers informers) {
        this.client = requireNonNull(client, "client");
        this.informers = requireNonNull(informers, "informers");
        this.owners = Map.of("ReplicaSet", informers.replicaSets, "Deployment", informers.deployments,
                "Service", informers.services, "Endpoints", informers.endpoints);
        this.loop = new ControllerLoop("garbage-collector", this::reconcile);
        Informers.onEach(informers.pods, p -> dependentChanged("Pod", p));
        Informers.onEach(informers.replicaSets, rs -> dependentChanged("ReplicaSet", rs));
        Informers.onEach(informers.endpointSlices, s -> dependentChanged("EndpointSlice", s));
        informers.replicaSets.addEventHandler(onDelete(() -> informers.pods));
        informers.deployments.addEventHandler(onDelete(() -> informers.replicaSets));
        informers.services.addEventHandler(onDelete(() -> informers.endpointSlices));
        informers.endpoints.addEventHandler(onDelete(() -> informers.endpointSlices));
    }

    private <T extends HasMetadata> io.fabric8.kubernetes.client.informers.ResourceEventHandler<HasMetadata> onDelete(
            java.util.function.Supplier<SharedIndexInformer<T>> dependents) {
        return new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
            }

            @Override
            public void onDelete(HasMetadata owner, boolean unknown) {
                for (T dependent : Informers.inNamespace(dependents.get(), owner.getMetadata().getNamespace())) {
                    Owners.controllerOf(dependent)
                            .filter(ref -> owner.getKind().equals(ref.getKind())
                                    && owner.getMetadata().getName().equals(ref.getName()))
                            .ifPresent(ref -> dependentChanged(dependent.getKind(), dependent));
                }
            }
        };
    }

    private void dependentChanged(String kind, HasMetadata dependent) {
        Optional<OwnerReference> ref = Owners.controllerOf(dependent);
        if (ref.isPresent() && owners.containsKey(ref.get().getKind())) {
            loop.enqueue(kind + "|" + Informers.key(dependent));
        }
    }

    void reconcile(String queued) {
        String kind = queued.substring(0, queued.indexOf('|'));
        String key = queued.substring(queued.indexOf('|') + 1);
        Optional<? extends HasMetadata> dependent = switch (kind) {
            case "Pod" -> Informers.get(informers.pods, key);
            case "ReplicaSet" -> Informers.get(informers.replicaSets, key);
            case "EndpointSlice" -> Informers.get(informers.endpointSlices, key);
            default -> Optional.empty();
        };
        if (dependent.isEmpty() || dependent.get().getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Optional<OwnerReference> ref = Owners.controllerOf(dependent.get());
        if (ref.isEmpty() || !owners.containsKey(ref.get().getKind())) {
            return;
        }
        String namespace = Informers.namespaceOf(key);
        String ownerKey = Informers.key(namespace, ref.get().getName());
        String uid = ref.get().getUid();
        if (Informers.get(owners.get(ref.get().getKind()), ownerKey)
                .filter(o -> uid == null || uid.equals(o.getMetadata().getUid())).isPresent()) {
            return;
        }
        HasMetadata live = switch (ref.get().getKind()) {
            case "ReplicaSet" -> client.apps().replicaSets().inNamespace(namespace).withName(ref.get().getName()).get();
            case "Deployment" -> client.apps().deployments().inNamespace(namespace).withName(ref.get().getName()).get();
            case "Service" -> client.services().inNamespace(namespace).withName(ref.get().getName()).get();
            default -> client.endpoints().inNamespace(namespace).withName(ref.get().getName()).get();
        };
        if (live != null && (uid == null || uid.equals(live.getMetadata().getUid()))) {
            return;
        }
        LOG.info("garbage-collector: deleting {} {} (owner {} {} is gone)", kind, key, ref.get().getKind(),
                ref.get().getName());
        String name = Informers.nameOf(key);
        switch (kind) {
            case "Pod" -> client.pods().inNamespace(namespace).withName(name).delete();
            case "ReplicaSet" -> client.apps().replicaSets().inNamespace(namespace).withName(name).delete();
            default -> client.discovery().v1().endpointSlices().inNamespace(namespace).withName(name).delete();
        }
    }
}
