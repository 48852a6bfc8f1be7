package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The EndpointSlice controller (upstream {@code pkg/controller/endpointslice/endpointslice_controller.go}
 * and {@code staging/src/k8s.io/endpointslice/reconciler.go}, {@code utils.go podToEndpoint}). For
 * every Service with a selector it keeps IPv4 EndpointSlices named {@code <service>-<5 chars>}
 * ({@code generateName: <service>-}), labelled {@code kubernetes.io/service-name} and
 * {@code endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io} (plus the Service's
 * own labels and {@code service.kubernetes.io/headless} for headless Services), owned by the Service.
 * Each non-terminal pod with an IPv4 address matching the selector is one endpoint with conditions
 * {@code serving = ready-or-publishNotReadyAddresses}, {@code terminating = deletionTimestamp set},
 * {@code ready = serving && (!terminating || publishNotReadyAddresses)}; {@code nodeName},
 * {@code targetRef} and {@code hostname} (when {@code spec.hostname} is set and {@code spec.subdomain}
 * equals the Service name), {@code zone} from the Node's {@code topology.kubernetes.io/zone} label.
 * Ports are resolved per pod by {@link EndpointPorts}. ExternalName Services
 * get no slices (existing managed ones are deleted); selector-less Services are left alone. Written
 * slices carry {@code endpoints.kubernetes.io/last-change-trigger-time} ({@link TriggerTimeTracker}).
 */
final class EndpointSliceController {
    static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    static final String SERVICE_NAME = "kubernetes.io/service-name";
    static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
    static final String HEADLESS = "service.kubernetes.io/headless";
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private final KubernetesClient client;
    private final Informers informers;
    private final WriteTracker tracker = new WriteTracker();
    private final TriggerTimeTracker triggerTimes = new TriggerTimeTracker();
    final ControllerLoop loop;

    EndpointSliceController(KubernetesClient client, Informers informers) {
        this.client = requireNonNull(client, "client");
        this.informers = requireNonNull(informers, "informers");
        this.loop = new ControllerLoop("endpointslice-controller", this::reconcile);
        Informers.onEach(informers.services, s -> loop.enqueue(Informers.key(s)));
        Informers.onEach(informers.pods, pod -> enqueueServicesSelecting(informers, loop, pod));
        Informers.onEach(informers.endpointSlices, slice -> {
            Map<String, String> labels = slice.getMetadata().getLabels();
            if (labels != null && CONTROLLER_NAME.equals(labels.get(MANAGED_BY)) && labels.containsKey(SERVICE_NAME)) {
                loop.enqueue(Informers.key(slice.getMetadata().getNamespace(), labels.get(SERVICE_NAME)));
            }
        });
    }

    static void enqueueServicesSelecting(Informers informers, ControllerLoop loop, Pod pod) {
        for (Service svc : Informers.inNamespace(informers.services, pod.getMetadata().getNamespace())) {
            Map<String, String> selector = svc.getSpec() == null ? null : svc.getSpec().getSelector();
            if (selector != null && !selector.isEmpty() && LabelSelectors.matches(selector, pod.getMetadata().getLabels())) {
                loop.enqueue(Informers.key(svc));
            }
        }
    }

    void reconcile(String key) {
        Optional<Service> found = Informers.get(informers.services, key);
        if (found.isEmpty()) {
            triggerTimes.forget(key);
            return; // the garbage collector removes slices owned by a deleted Service
        }
        Service svc = found.get();
        String namespace = svc.getMetadata().getNamespace();
        if (!tracker.caughtUp(key, name -> cachedVersion(informers, namespace, name))) {
            loop.enqueueAfter(key, java.time.Duration.ofMillis(100));
            return;
        }
        List<EndpointSlice> existing = managedSlices(informers, namespace, svc.getMetadata().getName(), CONTROLLER_NAME);
        if ("ExternalName".equals(svc.getSpec().getType())) {
            List<String> names = existing.stream().map(s -> s.getMetadata().getName()).toList();
            tracker.record(key, SliceWriter.apply(client, namespace, new SliceReconciler.Plan(List.of(), List.of(), names)));
            return;
        }
        Map<String, String> selector = svc.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return;
        }
        Map<SliceReconciler.Group, List<SliceReconciler.Ep>> desired = new LinkedHashMap<>();
        List<ServicePort> servicePorts = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
        List<Pod> selected = new ArrayList<>();
        for (Pod pod : Informers.inNamespace(informers.pods, namespace)) {
            if (!LabelSelectors.matches(selector, pod.getMetadata().getLabels()) || Pods.isTerminal(pod)) {
                continue;
            }
            selected.add(pod);
            Optional<String> ip = Pods.ipv4(pod);
            if (ip.isEmpty()) {
                continue;
            }
            var group = new SliceReconciler.Group("IPv4", EndpointPorts.forPod(servicePorts, pod));
            SliceReconciler.Ep ep = endpoint(svc, pod, ip.get());
            if (ep.nodeName() != null) {
                ep = withZone(ep, Informers.get(informers.nodes, ep.nodeName())
                        .map(n -> n.getMetadata().getLabels() == null ? null : n.getMetadata().getLabels().get(ZONE_LABEL)));
            }
            desired.computeIfAbsent(group, g -> new ArrayList<>()).add(ep);
        }
        var owner = new SliceReconciler.Owner(namespace, svc.getMetadata().getName() + "-", labels(svc),
                Owners.controllerRef(svc, "v1", "Service"));
        var plan = SliceReconciler.plan(owner, desired, existing);
        // upstream reconciler.go: written slices carry the trigger time of the change they reflect
        triggerTimes.compute(key, svc, selected).map(TriggerTimeTracker::format).ifPresent(t -> {
            plan.create().forEach(slice -> annotate(slice, t));
            plan.update().forEach(slice -> annotate(slice, t));
        });
        tracker.record(key, SliceWriter.apply(client, namespace, plan));
    }

    private static void annotate(EndpointSlice slice, String triggerTime) {
        Map<String, String> annotations = slice.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(slice.getMetadata().getAnnotations());
        annotations.put(TriggerTimeTracker.ANNOTATION, triggerTime);
        slice.getMetadata().setAnnotations(annotations);
    }

    static Optional<String> cachedVersion(Informers informers, String namespace, String slice) {
        return Informers.get(informers.endpointSlices, Informers.key(namespace, slice))
                .map(s -> s.getMetadata().getResourceVersion() == null ? "" : s.getMetadata().getResourceVersion());
    }

    private static SliceReconciler.Ep withZone(SliceReconciler.Ep e, Optional<String> zone) {
        return zone.isEmpty() ? e : new SliceReconciler.Ep(e.address(), e.ready(), e.serving(), e.terminating(),
                e.hostname(), e.nodeName(), zone.get(), e.refKind(), e.refNamespace(), e.refName(), e.refUid());
    }

    /** Upstream {@code podToEndpoint} (without the zone, which comes from the pod's Node). */
    static SliceReconciler.Ep endpoint(Service svc, Pod pod, String ip) {
        boolean publish = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        boolean serving = publish || Pods.isReady(pod);
        boolean terminating = Pods.isTerminating(pod);
        boolean ready = serving && (!terminating || publish);
        String hostname = null;
        if (pod.getSpec() != null && pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
                && svc.getMetadata().getName().equals(pod.getSpec().getSubdomain())) {
            hostname = pod.getSpec().getHostname();
        }
        String nodeName = pod.getSpec() == null || pod.getSpec().getNodeName() == null
                || pod.getSpec().getNodeName().isEmpty() ? null : pod.getSpec().getNodeName();
        return new SliceReconciler.Ep(ip, ready, serving, terminating, hostname, nodeName, null, "Pod",
                pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid());
    }

    /** Service labels plus the controller's labels (upstream {@code setEndpointSliceLabels}). */
    static Map<String, String> labels(Service svc) {
        Map<String, String> labels = new HashMap<>();
        if (svc.getMetadata().getLabels() != null) {
            svc.getMetadata().getLabels().forEach((k, v) -> {
                if (!k.equals(SERVICE_NAME) && !k.equals(MANAGED_BY) && !k.equals(HEADLESS)) {
                    labels.put(k, v);
                }
            });
        }
        if ("None".equals(svc.getSpec().getClusterIP())) {
            labels.put(HEADLESS, "");
        }
        labels.put(SERVICE_NAME, svc.getMetadata().getName());
        labels.put(MANAGED_BY, CONTROLLER_NAME);
        return labels;
    }

    static List<EndpointSlice> managedSlices(Informers informers, String namespace, String service, String managedBy) {
        return Informers.inNamespace(informers.endpointSlices, namespace).stream()
                .filter(s -> s.getMetadata().getLabels() != null
                        && service.equals(s.getMetadata().getLabels().get(SERVICE_NAME))
                        && managedBy.equals(s.getMetadata().getLabels().get(MANAGED_BY))
                        && s.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }
}
