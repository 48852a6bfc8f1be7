package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The EndpointSliceMirroring controller (upstream {@code pkg/controller/endpointslicemirroring}): for a
 * Service without a selector whose same-named Endpoints were written by a user (no
 * {@code endpointslice.kubernetes.io/skip-mirror: "true"} label), mirrors every subset into
 * EndpointSlices ({@code generateName: <endpoints>-}) grouped by address family and port set,
 * labelled {@code endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io}
 * and {@code kubernetes.io/service-name}, owned by the Endpoints. {@code addresses} become
 * {@code ready: true}, {@code notReadyAddresses} {@code ready: false}; hostname, nodeName and targetRef
 * are copied. Mirrored slices are deleted when the Service gains a selector, the Endpoints disappear
 * or the Service is deleted. The Endpoints themselves are never modified.
 */
final class EndpointSliceMirroringController {
    static final String CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
    static final String SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";

    private final KubernetesClient client;
    private final Informers informers;
    private final WriteTracker tracker = new WriteTracker();
    final ControllerLoop loop;

    EndpointSliceMirroringController(KubernetesClient client, Informers informers) {
        this.client = requireNonNull(client, "client");
        this.informers = requireNonNull(informers, "informers");
        this.loop = new ControllerLoop("endpointslicemirroring-controller", this::reconcile);
        Informers.onEach(informers.services, s -> loop.enqueue(Informers.key(s)));
        Informers.onEach(informers.endpoints, e -> loop.enqueue(Informers.key(e)));
        Informers.onEach(informers.endpointSlices, slice -> {
            Map<String, String> labels = slice.getMetadata().getLabels();
            if (labels != null && CONTROLLER_NAME.equals(labels.get(EndpointSliceController.MANAGED_BY))
                    && labels.containsKey(EndpointSliceController.SERVICE_NAME)) {
                loop.enqueue(Informers.key(slice.getMetadata().getNamespace(), labels.get(EndpointSliceController.SERVICE_NAME)));
            }
        });
    }

    void reconcile(String key) {
        String namespace = Informers.namespaceOf(key);
        String name = Informers.nameOf(key);
        if (!tracker.caughtUp(key, slice -> EndpointSliceController.cachedVersion(informers, namespace, slice))) {
            loop.enqueueAfter(key, java.time.Duration.ofMillis(100));
            return;
        }
        List<EndpointSlice> existing = EndpointSliceController.managedSlices(informers, namespace, name, CONTROLLER_NAME);
        Optional<Service> svc = Informers.get(informers.services, key);
        Optional<Endpoints> endpoints = Informers.get(informers.endpoints, key);
        boolean mirror = svc.isPresent()
                && (svc.get().getSpec().getSelector() == null || svc.get().getSpec().getSelector().isEmpty())
                && endpoints.isPresent()
                && (endpoints.get().getMetadata().getLabels() == null
                || !"true".equals(endpoints.get().getMetadata().getLabels().get(SKIP_MIRROR)));
        if (!mirror) {
            if (!existing.isEmpty()) {
                List<String> names = existing.stream().map(s -> s.getMetadata().getName()).toList();
                tracker.record(key, SliceWriter.apply(client, namespace, new SliceReconciler.Plan(List.of(), List.of(), names)));
            }
            return;
        }
        Endpoints ep = endpoints.get();
        Map<SliceReconciler.Group, List<SliceReconciler.Ep>> desired = new LinkedHashMap<>();
        for (EndpointSubset subset : ep.getSubsets() == null ? List.<EndpointSubset>of() : ep.getSubsets()) {
            List<EndpointPorts.Port> ports = (subset.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.EndpointPort>of()
                    : subset.getPorts()).stream()
                    .map(p -> new EndpointPorts.Port(p.getName() == null ? "" : p.getName(), p.getPort() == null ? 0 : p.getPort(),
                            EndpointPorts.protocol(p.getProtocol()), p.getAppProtocol()))
                    .sorted().toList();
            add(desired, ports, subset.getAddresses(), true);
            add(desired, ports, subset.getNotReadyAddresses(), false);
        }
        Map<String, String> labels = new HashMap<>();
        if (ep.getMetadata().getLabels() != null) {
            labels.putAll(ep.getMetadata().getLabels());
        }
        labels.put(EndpointSliceController.SERVICE_NAME, name);
        labels.put(EndpointSliceController.MANAGED_BY, CONTROLLER_NAME);
        var owner = new SliceReconciler.Owner(namespace, name + "-", labels, Owners.controllerRef(ep, "v1", "Endpoints"));
        tracker.record(key, SliceWriter.apply(client, namespace, SliceReconciler.plan(owner, desired, existing)));
    }

    private static void add(Map<SliceReconciler.Group, List<SliceReconciler.Ep>> desired, List<EndpointPorts.Port> ports,
            List<EndpointAddress> addresses, boolean ready) {
        for (EndpointAddress a : addresses == null ? List.<EndpointAddress>of() : addresses) {
            if (a.getIp() == null) {
                continue;
            }
            String family = a.getIp().contains(":") ? "IPv6" : "IPv4";
            var ref = a.getTargetRef();
            desired.computeIfAbsent(new SliceReconciler.Group(family, ports), g -> new ArrayList<>())
                    .add(new SliceReconciler.Ep(a.getIp(), ready, null, null, a.getHostname(), a.getNodeName(), null,
                            ref == null ? null : ref.getKind(), ref == null ? null : ref.getNamespace(),
                            ref == null ? null : ref.getName(), ref == null ? null : ref.getUid()));
        }
    }
}
