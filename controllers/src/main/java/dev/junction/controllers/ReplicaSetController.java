package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ReplicaSet controller (upstream {@code pkg/controller/replicaset/replica_set.go}): keeps
 * {@code spec.replicas} active pods controlled by each ReplicaSet. Missing pods are created from
 * {@code spec.template} with {@code generateName: <rs>-} and a 5-character random suffix, labels and
 * annotations of the template, and a controller ownerReference; surplus pods are deleted in upstream
 * {@code controller.ActivePods} order (unscheduled, then pending, then not ready, then ready for the
 * shortest time, then most restarts, then newest first). Status ({@code replicas},
 * {@code fullyLabeledReplicas}, {@code readyReplicas}, {@code availableReplicas},
 * {@code observedGeneration}) is written through the status subresource only when it changed.
 * Orphan pods matching the selector are adopted and controlled pods that stop matching are released
 * ({@code ClaimPods}).
 */
final class ReplicaSetController {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetController.class);
    /** Upstream {@code BurstReplicas}: at most this many creates or deletes per sync. */
    private static final int BURST_REPLICAS = 500;

    private final KubernetesClient client;
    private final Informers informers;
    private final Expectations expectations = new Expectations();
    final ControllerLoop loop;

    ReplicaSetController(KubernetesClient client, Informers informers) {
        this.client = requireNonNull(client, "client");
        this.informers = requireNonNull(informers, "informers");
        this.loop = new ControllerLoop("replicaset-controller", this::reconcile);
        Informers.onEach(informers.replicaSets, rs -> loop.enqueue(Informers.key(rs)));
        Informers.onEach(informers.pods, pod -> Owners.controllerOf(pod)
                .filter(ref -> "ReplicaSet".equals(ref.getKind()))
                .ifPresent(ref -> {
                    String owner = Informers.key(pod.getMetadata().getNamespace(), ref.getName());
                    expectations.observed(owner, pod.getMetadata().getName());
                    loop.enqueue(owner);
                }));
    }

    void reconcile(String key) {
        var found = Informers.get(informers.replicaSets, key);
        if (found.isEmpty()) {
            expectations.forget(key);
            return;
        }
        ReplicaSet rs = found.get();
        String namespace = rs.getMetadata().getNamespace();
        boolean terminatingRs = rs.getMetadata().getDeletionTimestamp() != null;
        List<Pod> active = claimPods(rs, terminatingRs).stream().filter(Pods::isActive).toList();
        if (!terminatingRs) {
            Function<String, Optional<Pod>> cached = name -> Informers.get(informers.pods, Informers.key(namespace, name));
            if (expectations.satisfied(key, name -> cached.apply(name).isPresent(),
                    name -> cached.apply(name).filter(Pods::isActive).isPresent())) {
                manageReplicas(key, rs, active);
            } else {
                // a lost event leaves the expectations to expire; then this sync must run again (the queue
                // keeps one delayed add per key, so a burst of unsatisfied syncs sets one timer)
                loop.enqueueAfter(key, expectations.untilExpiry(key).plusMillis(100));
            }
        }
        updateStatus(rs, active);
    }

    /**
     * Upstream {@code PodControllerRefManager.ClaimPods}: pods this ReplicaSet controls and its selector
     * still matches, plus active orphans the selector matches (adopted by adding a controller
     * reference); controlled pods the selector no longer matches are released (reference removed).
     */
    private List<Pod> claimPods(ReplicaSet rs, boolean terminatingRs) {
        String namespace = rs.getMetadata().getNamespace();
        List<Pod> claimed = new java.util.ArrayList<>();
        for (Pod pod : Informers.inNamespace(informers.pods, namespace)) {
            boolean matches = LabelSelectors.matches(rs.getSpec().getSelector(), pod.getMetadata().getLabels());
            boolean controlled = Owners.isControlledBy(pod, rs, "ReplicaSet");
            String name = pod.getMetadata().getName();
            if (controlled && matches) {
                claimed.add(pod);
            } else if (controlled && Pods.isActive(pod)) {
                LOG.info("replicaset {}/{}: releasing pod {}", namespace, rs.getMetadata().getName(), name);
                client.pods().inNamespace(namespace).withName(name).edit(p -> new PodBuilder(p).editMetadata()
                        .removeMatchingFromOwnerReferences(r -> rs.getMetadata().getUid().equals(r.getUid()))
                        .endMetadata().build());
            } else if (matches && !terminatingRs && Pods.isActive(pod) && Owners.controllerOf(pod).isEmpty()) {
                LOG.info("replicaset {}/{}: adopting pod {}", namespace, rs.getMetadata().getName(), name);
                claimed.add(client.pods().inNamespace(namespace).withName(name).edit(p -> new PodBuilder(p).editMetadata()
                        .addToOwnerReferences(Owners.controllerRef(rs, "apps/v1", "ReplicaSet")).endMetadata().build()));
            }
        }
        return claimed;
    }

    private void manageReplicas(String key, ReplicaSet rs, List<Pod> active) {
        int desired = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        int diff = active.size() - desired;
        String namespace = rs.getMetadata().getNamespace();
        if (diff < 0) {
            int count = Math.min(-diff, BURST_REPLICAS);
            Set<String> names = new HashSet<>();
            for (int i = 0; i < count; i++) {
                names.add(Names.generate(rs.getMetadata().getName() + "-"));
            }
            expectations.expect(key, names, Set.of());
            for (String name : names) {
                Pod pod = podFromTemplate(rs, name);
                try {
                    client.pods().inNamespace(namespace).resource(pod).create();
                } catch (KubernetesClientException e) {
                    expectations.forget(key);
                    throw e;
                }
            }
            LOG.debug("replicaset {}: created {} pods", key, count);
        } else if (diff > 0) {
            List<Pod> victims = active.stream().sorted(DELETION_ORDER).limit(Math.min(diff, BURST_REPLICAS)).toList();
            Set<String> names = new HashSet<>();
            victims.forEach(p -> names.add(p.getMetadata().getName()));
            expectations.expect(key, Set.of(), names);
            for (Pod victim : victims) {
                try {
                    client.pods().inNamespace(namespace).withName(victim.getMetadata().getName()).delete();
                } catch (KubernetesClientException e) {
                    expectations.forget(key);
                    throw e;
                }
            }
            LOG.debug("replicaset {}: deleted {} pods", key, victims.size());
        }
    }

    static Pod podFromTemplate(ReplicaSet rs, String name) {
        var template = rs.getSpec().getTemplate();
        Map<String, String> labels = template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels();
        Map<String, String> annotations = template.getMetadata() == null
                || template.getMetadata().getAnnotations() == null ? Map.of() : template.getMetadata().getAnnotations();
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name)
                        .withGenerateName(rs.getMetadata().getName() + "-")
                        .withNamespace(rs.getMetadata().getNamespace())
                        .withLabels(new HashMap<>(labels))
                        .withAnnotations(annotations.isEmpty() ? null : new HashMap<>(annotations))
                        .withOwnerReferences(Owners.controllerRef(rs, "apps/v1", "ReplicaSet"))
                        .build())
                .withSpec(new PodSpecBuilder(template.getSpec()).build())
                .build();
    }

    private void updateStatus(ReplicaSet rs, List<Pod> active) {
        Instant now = Instant.now();
        int minReady = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        Map<String, String> templateLabels = rs.getSpec().getTemplate().getMetadata() == null
                || rs.getSpec().getTemplate().getMetadata().getLabels() == null
                ? Map.of() : rs.getSpec().getTemplate().getMetadata().getLabels();
        ReplicaSetStatus old = rs.getStatus();
        ReplicaSetStatus status = new ReplicaSetStatusBuilder()
                .withReplicas(active.size())
                .withFullyLabeledReplicas((int) active.stream()
                        .filter(p -> LabelSelectors.matches(templateLabels, p.getMetadata().getLabels())).count())
                .withReadyReplicas((int) active.stream().filter(Pods::isReady).count())
                .withAvailableReplicas((int) active.stream().filter(p -> Pods.isAvailable(p, minReady, now)).count())
                .withObservedGeneration(rs.getMetadata().getGeneration())
                .withConditions(old == null ? List.of() : old.getConditions())
                .build();
        if (old != null && sameCounts(old, status)) {
            return;
        }
        ReplicaSet updated = new ReplicaSetBuilder(rs).withStatus(status).build();
        try {
            client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(updated).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return; // deleted meanwhile; the informer will drop it
            }
            throw e;
        }
        if (minReady > 0 && status.getReadyReplicas() > status.getAvailableReplicas()) {
            loop.enqueueAfter(Informers.key(rs), java.time.Duration.ofSeconds(minReady));
        }
    }

    private static boolean sameCounts(ReplicaSetStatus a, ReplicaSetStatus b) {
        return Objects.equals(nz(a.getReplicas()), nz(b.getReplicas()))
                && Objects.equals(nz(a.getFullyLabeledReplicas()), nz(b.getFullyLabeledReplicas()))
                && Objects.equals(nz(a.getReadyReplicas()), nz(b.getReadyReplicas()))
                && Objects.equals(nz(a.getAvailableReplicas()), nz(b.getAvailableReplicas()))
                && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration());
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    /** Upstream {@code controller.ActivePods.Less}: pods that sort first are deleted first. */
    static final Comparator<Pod> DELETION_ORDER = Comparator
            .comparing((Pod p) -> p.getSpec() != null && p.getSpec().getNodeName() != null
                    && !p.getSpec().getNodeName().isEmpty())
            .thenComparing(p -> phaseRank(p))
            .thenComparing(Pods::isReady)
            .thenComparing((Pod p) -> Pods.condition(p, "Ready").map(c -> c.getLastTransitionTime()).orElse(""),
                    Comparator.reverseOrder())
            .thenComparing(p -> -restarts(p))
            .thenComparing(Pods::created, Comparator.reverseOrder());

    private static int phaseRank(Pod p) {
        String phase = p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase();
        return switch (phase) {
            case "Pending" -> 0;
            case "Unknown" -> 1;
            default -> 2;
        };
    }

    private static int restarts(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return 0;
        }
        return p.getStatus().getContainerStatuses().stream()
                .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
    }
}
