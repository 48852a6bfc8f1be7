package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Computes which EndpointSlices to create, update and delete so that the existing slices of one
 * Service carry exactly the desired endpoints: a pure function in the spirit of upstream
 * {@code staging/src/k8s.io/endpointslice/reconciler.go}. Endpoints are grouped by (addressType, port
 * set); an endpoint stays in the slice it is already in when possible, new endpoints fill slices
 * with room before new slices (at most {@link #MAX_ENDPOINTS} each) are created, slices left empty
 * are deleted, and a slice is updated only when its endpoints (as a set), ports or labels changed; a
 * slice that would be deleted while another is created is updated in place instead (upstream
 * {@code finalize}), so the placeholder becomes the first real slice.
 * With no endpoints at all one placeholder slice (no endpoints, no ports) is kept, as upstream.
 */
final class SliceReconciler {
    /** Upstream {@code --max-endpoints-per-slice} default. */
    static final int MAX_ENDPOINTS = 100;

    /** A normalized endpoint; {@code null} fields are absent. */
    record Ep(String address, Boolean ready, Boolean serving, Boolean terminating, String hostname, String nodeName,
            String zone, String refKind, String refNamespace, String refName, String refUid) {
    }

    /** Slices sharing one port set and address type. */
    record Group(String addressType, List<EndpointPorts.Port> ports) {
    }

    /** What to apply: new slices (name already generated), changed slices (with resourceVersion), names to delete. */
    record Plan(List<EndpointSlice> create, List<EndpointSlice> update, List<String> delete) {
        boolean isEmpty() {
            return create.isEmpty() && update.isEmpty() && delete.isEmpty();
        }
    }

    /** Identity of the slices' owner and the metadata every slice gets. */
    record Owner(String namespace, String namePrefix, Map<String, String> labels, OwnerReference ownerRef) {
    }

    private SliceReconciler() {
    }

    static Plan plan(Owner owner, Map<Group, List<Ep>> desiredIn, List<EndpointSlice> existing) {
        requireNonNull(owner, "owner");
        Map<Group, List<Ep>> desired = new LinkedHashMap<>(desiredIn);
        desired.values().removeIf(List::isEmpty);
        boolean placeholder = desired.isEmpty();
        if (placeholder) {
            desired.put(new Group("IPv4", List.of()), List.of());
        }
        List<EndpointSlice> create = new ArrayList<>();
        List<EndpointSlice> update = new ArrayList<>();
        List<String> delete = new ArrayList<>();
        Map<Group, List<EndpointSlice>> byGroup = new LinkedHashMap<>();
        for (EndpointSlice slice : existing) {
            Group g = groupOf(slice);
            if (desired.containsKey(g)) {
                byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(slice);
            } else {
                delete.add(slice.getMetadata().getName());
            }
        }
        for (var entry : desired.entrySet()) {
            Group group = entry.getKey();
            Map<String, Ep> wanted = new LinkedHashMap<>();
            entry.getValue().stream().sorted(Comparator.comparing(Ep::address)).forEach(e -> wanted.put(e.address(), e));
            List<EndpointSlice> slices = byGroup.getOrDefault(group, List.of()).stream()
                    .sorted(Comparator.comparing(s -> s.getMetadata().getName())).toList();
            List<List<Ep>> contents = new ArrayList<>();
            for (EndpointSlice slice : slices) {
                List<Ep> kept = new ArrayList<>();
                for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
                    String address = e.getAddresses() == null || e.getAddresses().isEmpty() ? null : e.getAddresses().get(0);
                    Ep want = address == null ? null : wanted.remove(address);
                    if (want != null && kept.size() < MAX_ENDPOINTS) {
                        kept.add(want);
                    } else if (want != null) {
                        wanted.put(want.address(), want);
                    }
                }
                contents.add(kept);
            }
            var remaining = new ArrayList<>(wanted.values());
            for (List<Ep> kept : contents) {
                while (kept.size() < MAX_ENDPOINTS && !remaining.isEmpty()) {
                    kept.add(remaining.remove(0));
                }
            }
            boolean keptPlaceholder = false;
            for (int i = 0; i < slices.size(); i++) {
                EndpointSlice slice = slices.get(i);
                List<Ep> content = contents.get(i);
                if (content.isEmpty() && !(placeholder && !keptPlaceholder)) {
                    delete.add(slice.getMetadata().getName());
                    continue;
                }
                keptPlaceholder = true;
                if (!sameContent(slice, owner, group, content)) {
                    update.add(build(owner, group, content, slice));
                }
            }
            while (!remaining.isEmpty() || (placeholder && !keptPlaceholder)) {
                List<Ep> chunk = new ArrayList<>(remaining.subList(0, Math.min(MAX_ENDPOINTS, remaining.size())));
                remaining.subList(0, chunk.size()).clear();
                create.add(build(owner, group, chunk, null));
                keptPlaceholder = true;
            }
        }
        // Turn create+delete pairs of the same address type into updates of the slice that would be
        // deleted (reconciler.go finalize), so a placeholder or a slice with stale ports keeps its name.
        Map<String, EndpointSlice> byName = new LinkedHashMap<>();
        existing.forEach(sl -> byName.put(sl.getMetadata().getName(), sl));
        for (var it = delete.iterator(); it.hasNext() && !create.isEmpty(); ) {
            EndpointSlice old = byName.get(it.next());
            EndpointSlice fresh = create.get(create.size() - 1);
            if (old != null && group(old).addressType().equals(fresh.getAddressType())) {
                create.remove(create.size() - 1);
                it.remove();
                update.add(new EndpointSliceBuilder(old)
                        .editMetadata().withLabels(fresh.getMetadata().getLabels()).endMetadata()
                        .withEndpoints(fresh.getEndpoints()).withPorts(fresh.getPorts()).build());
            }
        }
        return new Plan(create, update, delete);
    }

    private static Group group(EndpointSlice slice) {
        return groupOf(slice);
    }

    static Group groupOf(EndpointSlice slice) {
        List<EndpointPorts.Port> ports = new ArrayList<>();
        for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
            ports.add(new EndpointPorts.Port(p.getName() == null ? "" : p.getName(), p.getPort() == null ? 0 : p.getPort(),
                    EndpointPorts.protocol(p.getProtocol()), p.getAppProtocol()));
        }
        ports.sort(null);
        return new Group(slice.getAddressType() == null ? "IPv4" : slice.getAddressType(), List.copyOf(ports));
    }

    static Ep toEp(Endpoint e) {
        var c = e.getConditions();
        var ref = e.getTargetRef();
        return new Ep(e.getAddresses() == null || e.getAddresses().isEmpty() ? "" : e.getAddresses().get(0),
                c == null ? null : c.getReady(), c == null ? null : c.getServing(), c == null ? null : c.getTerminating(),
                e.getHostname(), e.getNodeName(), e.getZone(),
                ref == null ? null : ref.getKind(), ref == null ? null : ref.getNamespace(),
                ref == null ? null : ref.getName(), ref == null ? null : ref.getUid());
    }

    private static boolean sameContent(EndpointSlice slice, Owner owner, Group group, List<Ep> content) {
        List<Ep> actual = (slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()).stream()
                .map(SliceReconciler::toEp).sorted(Comparator.comparing(Ep::address)).toList();
        List<Ep> wanted = content.stream().sorted(Comparator.comparing(Ep::address)).toList();
        Map<String, String> labels = slice.getMetadata().getLabels() == null ? Map.of() : slice.getMetadata().getLabels();
        return actual.equals(wanted) && groupOf(slice).equals(group) && labels.equals(owner.labels());
    }

    private static EndpointSlice build(Owner owner, Group group, List<Ep> content, EndpointSlice existing) {
        List<Endpoint> endpoints = content.stream().sorted(Comparator.comparing(Ep::address)).map(SliceReconciler::toEndpoint).toList();
        List<EndpointPort> ports = group.ports().stream().map(p -> new EndpointPortBuilder().withName(p.name())
                .withPort(p.port()).withProtocol(p.protocol()).withAppProtocol(p.appProtocol()).build()).toList();
        if (existing != null) {
            return new EndpointSliceBuilder(existing)
                    .editMetadata().withLabels(new LinkedHashMap<>(owner.labels())).endMetadata()
                    .withEndpoints(endpoints).withPorts(ports).build();
        }
        return new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(Names.generate(owner.namePrefix()))
                        .withGenerateName(owner.namePrefix())
                        .withNamespace(owner.namespace())
                        .withLabels(new LinkedHashMap<>(owner.labels()))
                        .withOwnerReferences(owner.ownerRef())
                        .build())
                .withAddressType(group.addressType())
                .withEndpoints(endpoints)
                .withPorts(ports)
                .build();
    }

    private static Endpoint toEndpoint(Ep e) {
        var b = new EndpointBuilder().withAddresses(e.address())
                .withNewConditions().withReady(e.ready()).withServing(e.serving()).withTerminating(e.terminating()).endConditions()
                .withHostname(e.hostname()).withNodeName(e.nodeName()).withZone(e.zone());
        if (e.refName() != null) {
            b.withTargetRef(new ObjectReferenceBuilder().withKind(e.refKind()).withNamespace(e.refNamespace())
                    .withName(e.refName()).withUid(e.refUid()).build());
        }
        return b.build();
    }

    static boolean sameLabels(Map<String, String> a, Map<String, String> b) {
        return Objects.equals(a == null ? Map.of() : a, b == null ? Map.of() : b);
    }
}
