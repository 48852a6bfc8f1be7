package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.SharedInformerFactory;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The shared informers (one list+watch per resource, all namespaces) every controller reads from,
 * built on fabric8's {@link SharedInformerFactory}. Caches are keyed {@code namespace/name}.
 */
final class Informers {
    final SharedInformerFactory factory;
    final SharedIndexInformer<Pod> pods;
    final SharedIndexInformer<Node> nodes;
    final SharedIndexInformer<Service> services;
    final SharedIndexInformer<Endpoints> endpoints;
    final SharedIndexInformer<EndpointSlice> endpointSlices;
    final SharedIndexInformer<ReplicaSet> replicaSets;
    final SharedIndexInformer<Deployment> deployments;

    Informers(KubernetesClient client) {
        requireNonNull(client, "client");
        factory = client.informers();
        pods = factory.sharedIndexInformerFor(Pod.class, 0);
        nodes = factory.sharedIndexInformerFor(Node.class, 0);
        services = factory.sharedIndexInformerFor(Service.class, 0);
        endpoints = factory.sharedIndexInformerFor(Endpoints.class, 0);
        endpointSlices = factory.sharedIndexInformerFor(EndpointSlice.class, 0);
        replicaSets = factory.sharedIndexInformerFor(ReplicaSet.class, 0);
        deployments = factory.sharedIndexInformerFor(Deployment.class, 0);
    }

    /** {@code namespace/name} of {@code object} ({@code name} when cluster-scoped). */
    static String key(HasMetadata object) {
        return Cache.metaNamespaceKeyFunc(object);
    }

    static String key(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    static String namespaceOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    static String nameOf(String key) {
        return key.substring(key.indexOf('/') + 1);
    }

    static <T> Optional<T> get(SharedIndexInformer<T> informer, String key) {
        return Optional.ofNullable(informer.getStore().getByKey(key));
    }

    static <T> List<T> inNamespace(SharedIndexInformer<T> informer, String namespace) {
        return informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }

    /** Registers a handler that calls {@code onChange} with the old (or only) and the new object. */
    static <T> void onChange(SharedIndexInformer<T> informer, BiConsumer<T, T> onChange) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(obj, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.accept(oldObj, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onChange.accept(obj, obj);
            }
        });
    }

    /** Registers a handler that calls {@code onEach} for every added, updated (new) and deleted object. */
    static <T> void onEach(SharedIndexInformer<T> informer, Consumer<T> onEach) {
        onChange(informer, (oldObj, newObj) -> {
            onEach.accept(oldObj);
            if (oldObj != newObj) {
                onEach.accept(newObj);
            }
        });
    }
}
