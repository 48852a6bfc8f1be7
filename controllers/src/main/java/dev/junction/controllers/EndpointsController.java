package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The legacy Endpoints controller (upstream {@code pkg/controller/endpoint/endpoints_controller.go}).
 * For each Service with a selector it writes the v1 Endpoints of the same name: pods grouped into
 * subsets by resolved port set ({@link EndpointPorts}); ready pods (or all, with
 * {@code publishNotReadyAddresses}) in {@code addresses}, the others in {@code notReadyAddresses};
 * terminating pods are left out unless {@code publishNotReadyAddresses}; addresses carry {@code ip},
 * {@code nodeName}, {@code targetRef} and {@code hostname} (same rule as EndpointSlices); a headless
 * Service without ports still lists addresses. Labels: the Service's, plus
 * {@code service.kubernetes.io/headless} for headless Services. The object is written only when
 * subsets or labels changed. Endpoints of Services without a selector are never written; as upstream,
 * deleting a Service deletes the Endpoints of the same name. Not implemented: the
 * {@code last-change-trigger-time} and {@code over-capacity} (1000 addresses) annotations and the
 * start-up sweep of leftover Endpoints.
 */
final class EndpointsController {
    private final KubernetesClient client;
    private final Informers informers;
    private final WriteTracker tracker = new WriteTracker();
    final ControllerLoop loop;

    EndpointsController(KubernetesClient client, Informers informers) {
        this.client = requireNonNull(client, "client");
        this.informers = requireNonNull(informers, "informers");
        this.loop = new ControllerLoop("endpoints-controller", this::reconcile);
        Informers.onEach(informers.services, s -> loop.enqueue(Informers.key(s)));
        Informers.onEach(informers.pods, pod -> EndpointSliceController.enqueueServicesSelecting(informers, loop, pod));
        informers.endpoints.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            @Override
            public void onAdd(Endpoints ep) {
            }

            @Override
            public void onUpdate(Endpoints oldEp, Endpoints ep) {
            }

            @Override
            public void onDelete(Endpoints ep, boolean unknown) {
                loop.enqueue(Informers.key(ep)); // recreated if its Service still selects pods
            }
        });
    }

    void reconcile(String key) {
        Optional<Service> found = Informers.get(informers.services, key);
        Optional<Endpoints> current = Informers.get(informers.endpoints, key);
        String namespace = Informers.namespaceOf(key);
        if (!tracker.caughtUp(key, name -> current.map(e -> e.getMetadata().getResourceVersion() == null ? ""
                : e.getMetadata().getResourceVersion()))) {
            loop.enqueueAfter(key, java.time.Duration.ofMillis(100));
            return;
        }
        if (found.isEmpty()) {
            if (current.isPresent()) {
                client.endpoints().inNamespace(namespace).withName(Informers.nameOf(key)).delete();
                tracker.record(key, Map.of(Informers.nameOf(key), ""));
            }
            return;
        }
        Service svc = found.get();
        Map<String, String> selector = svc.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            return;
        }
        List<EndpointSubset> subsets = subsets(svc, Informers.inNamespace(informers.pods, namespace));
        Map<String, String> labels = labels(svc);
        if (current.isPresent()) {
            Endpoints ep = current.get();
            Map<String, String> currentLabels = ep.getMetadata().getLabels() == null ? Map.of() : ep.getMetadata().getLabels();
            if (currentLabels.equals(labels) && Serialization.asJson(normalize(ep.getSubsets())).equals(Serialization.asJson(subsets))) {
                return;
            }
            Endpoints next = new EndpointsBuilder(ep).editMetadata().withLabels(labels).endMetadata()
                    .withSubsets(subsets).build();
            record(key, client.endpoints().inNamespace(namespace).resource(next).update());
        } else {
            Endpoints next = new EndpointsBuilder().withNewMetadata().withName(svc.getMetadata().getName())
                    .withNamespace(namespace).withLabels(labels).endMetadata().withSubsets(subsets).build();
            record(key, client.endpoints().inNamespace(namespace).resource(next).create());
        }
    }

    private void record(String key, Endpoints written) {
        tracker.record(key, Map.of(written.getMetadata().getName(),
                written.getMetadata().getResourceVersion() == null ? "0" : written.getMetadata().getResourceVersion()));
    }

    static Map<String, String> labels(Service svc) {
        Map<String, String> labels = new HashMap<>();
        if (svc.getMetadata().getLabels() != null) {
            labels.putAll(svc.getMetadata().getLabels());
        }
        labels.remove(EndpointSliceController.HEADLESS);
        if ("None".equals(svc.getSpec().getClusterIP())) {
            labels.put(EndpointSliceController.HEADLESS, "");
        }
        return labels;
    }

    /** The desired subsets, in a canonical order (ports, then addresses sorted by IP). */
    static List<EndpointSubset> subsets(Service svc, List<Pod> pods) {
        boolean publish = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        var servicePorts = svc.getSpec().getPorts() == null ? List.<io.fabric8.kubernetes.api.model.ServicePort>of()
                : svc.getSpec().getPorts();
        Map<List<EndpointPorts.Port>, List<EndpointAddress>> ready = new LinkedHashMap<>();
        Map<List<EndpointPorts.Port>, List<EndpointAddress>> notReady = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (!LabelSelectors.matches(svc.getSpec().getSelector(), pod.getMetadata().getLabels()) || Pods.isTerminal(pod)
                    || (Pods.isTerminating(pod) && !publish)) {
                continue;
            }
            Optional<String> ip = Pods.ipv4(pod);
            if (ip.isEmpty()) {
                continue;
            }
            List<EndpointPorts.Port> ports = EndpointPorts.forPod(servicePorts, pod);
            if (ports.isEmpty() && !servicePorts.isEmpty()) {
                continue;
            }
            var ep = EndpointSliceController.endpoint(svc, pod, ip.get());
            EndpointAddress address = new EndpointAddressBuilder().withIp(ep.address()).withHostname(ep.hostname())
                    .withNodeName(ep.nodeName())
                    .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(ep.refNamespace())
                            .withName(ep.refName()).withUid(ep.refUid()).build())
                    .build();
            (publish || Pods.isReady(pod) ? ready : notReady).computeIfAbsent(ports, p -> new ArrayList<>()).add(address);
            (publish || Pods.isReady(pod) ? notReady : ready).computeIfAbsent(ports, p -> new ArrayList<>());
        }
        List<EndpointSubset> out = new ArrayList<>();
        List<List<EndpointPorts.Port>> keys = new ArrayList<>(ready.keySet());
        keys.sort(Comparator.comparing(Object::toString));
        for (List<EndpointPorts.Port> ports : keys) {
            out.add(new EndpointSubsetBuilder()
                    .withAddresses(sorted(ready.getOrDefault(ports, List.of())))
                    .withNotReadyAddresses(sorted(notReady.getOrDefault(ports, List.of())))
                    .withPorts(ports.stream().map(p -> new EndpointPortBuilder().withName(p.name().isEmpty() ? null : p.name())
                            .withPort(p.port()).withProtocol(p.protocol()).withAppProtocol(p.appProtocol()).build()).toList())
                    .build());
        }
        return out;
    }

    private static List<EndpointAddress> sorted(List<EndpointAddress> addresses) {
        return addresses.stream().sorted(Comparator.comparing(EndpointAddress::getIp)).toList();
    }

    /** Existing subsets in the same canonical order as {@link #subsets}. */
    private static List<EndpointSubset> normalize(List<EndpointSubset> subsets) {
        if (subsets == null) {
            return List.of();
        }
        List<EndpointSubset> out = new ArrayList<>();
        for (EndpointSubset s : subsets) {
            List<EndpointPorts.Port> ports = (s.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.EndpointPort>of() : s.getPorts())
                    .stream().map(p -> new EndpointPorts.Port(p.getName() == null ? "" : p.getName(),
                            p.getPort() == null ? 0 : p.getPort(), EndpointPorts.protocol(p.getProtocol()), p.getAppProtocol()))
                    .sorted().toList();
            out.add(new EndpointSubsetBuilder(s)
                    .withAddresses(sorted(s.getAddresses() == null ? List.of() : s.getAddresses()))
                    .withNotReadyAddresses(sorted(s.getNotReadyAddresses() == null ? List.of() : s.getNotReadyAddresses()))
                    .withPorts(ports.stream().map(p -> new EndpointPortBuilder().withName(p.name().isEmpty() ? null : p.name())
                            .withPort(p.port()).withProtocol(p.protocol()).withAppProtocol(p.appProtocol()).build()).toList())
                    .build());
        }
        out.sort(Comparator.comparing(s -> s.getPorts().stream().map(p -> new EndpointPorts.Port(
                p.getName() == null ? "" : p.getName(), p.getPort(), p.getProtocol(), p.getAppProtocol())).toList().toString()));
        return out;
    }
}
