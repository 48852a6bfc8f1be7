package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deployment controller (upstream {@code pkg/controller/deployment}: {@code deployment_controller.go},
 * {@code rolling.go}, {@code recreate.go}, {@code sync.go}, {@code progress.go}). For each Deployment it
 * keeps one "new" ReplicaSet {@code <deployment>-<pod-template-hash>} whose template is the
 * Deployment's plus the {@code pod-template-hash} label (also added to its selector), scales it up
 * and older ReplicaSets down within {@code maxSurge}/{@code maxUnavailable} (RollingUpdate) or all old
 * ones to zero first (Recreate), prunes zero-replica old ReplicaSets beyond
 * {@code revisionHistoryLimit} (default 10) and writes status: {@code replicas},
 * {@code updatedReplicas}, {@code readyReplicas}, {@code availableReplicas},
 * {@code unavailableReplicas}, {@code observedGeneration}, conditions {@code Available} and
 * {@code Progressing} (reasons as upstream). Paused Deployments only get status.
 * Not implemented: proportional scaling during a rollout, progressDeadlineSeconds timeouts,
 * rollback annotations, adoption of orphan ReplicaSets.
 */
final class DeploymentController {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentController.class);
    static final String REVISION = "deployment.kubernetes.io/revision";

    private final KubernetesClient client;
    private final Informers informers;
    final ControllerLoop loop;

    DeploymentController(KubernetesClient client, Informers informers) {
        this.client = requireNonNull(client, "client");
        this.informers = requireNonNull(informers, "informers");
        this.loop = new ControllerLoop("deployment-controller", this::reconcile);
        Informers.onEach(informers.deployments, d -> loop.enqueue(Informers.key(d)));
        Informers.onEach(informers.replicaSets, rs -> Owners.controllerOf(rs)
                .filter(ref -> "Deployment".equals(ref.getKind()))
                .ifPresent(ref -> loop.enqueue(Informers.key(rs.getMetadata().getNamespace(), ref.getName()))));
    }

    void reconcile(String key) {
        Optional<Deployment> found = Informers.get(informers.deployments, key);
        if (found.isEmpty() || found.get().getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Deployment d = found.get();
        String namespace = d.getMetadata().getNamespace();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        Optional<Integer> collisions = Optional.ofNullable(d.getStatus() == null ? null : d.getStatus().getCollisionCount());
        String hash = PodTemplateHash.of(d.getSpec().getTemplate(), collisions);
        List<ReplicaSet> all = Informers.inNamespace(informers.replicaSets, namespace).stream()
                .filter(rs -> Owners.isControlledBy(rs, d, "Deployment"))
                .sorted(Comparator.comparing((ReplicaSet rs) -> rs.getMetadata().getCreationTimestamp(),
                        Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(rs -> rs.getMetadata().getName()))
                .toList();
        Optional<ReplicaSet> current = all.stream()
                .filter(rs -> hash.equals(labels(rs).get(PodTemplateHash.LABEL))).findFirst();
        List<ReplicaSet> old = all.stream().filter(rs -> current.isEmpty() || rs != current.get()).toList();
        Optional<ReplicaSet> newRs = current;
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        String strategy = d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                ? "RollingUpdate" : d.getSpec().getStrategy().getType();
        var rolling = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
        RolloutMath math = "Recreate".equals(strategy) ? new RolloutMath(0, desired)
                : RolloutMath.resolve(rolling == null ? null : rolling.getMaxSurge(),
                rolling == null ? null : rolling.getMaxUnavailable(), desired);
        boolean created = false;
        if (!paused) {
            if (newRs.isEmpty()) {
                int initial;
                if ("Recreate".equals(strategy)) {
                    initial = old.stream().anyMatch(rs -> specReplicas(rs) > 0 || statusReplicas(rs) > 0) ? 0 : desired;
                } else {
                    initial = math.newReplicas(desired, old.stream().mapToInt(DeploymentController::specReplicas).sum(), 0);
                }
                newRs = Optional.of(createNewReplicaSet(d, hash, initial, old));
                created = true;
            } else if ("Recreate".equals(strategy)) {
                recreate(d, desired, newRs.get(), old);
            } else {
                rollingUpdate(d, desired, math, newRs.get(), old);
            }
            pruneHistory(d, old);
        }
        updateStatus(d, desired, math, newRs, all, created);
    }

    private void recreate(Deployment d, int desired, ReplicaSet newRs, List<ReplicaSet> old) {
        boolean scaledDown = false;
        for (ReplicaSet rs : old) {
            if (specReplicas(rs) > 0) {
                scale(rs, 0);
                scaledDown = true;
            }
        }
        if (scaledDown || old.stream().anyMatch(rs -> statusReplicas(rs) > 0)) {
            return;
        }
        if (specReplicas(newRs) != desired) {
            scale(newRs, desired);
        }
    }

    private void rollingUpdate(Deployment d, int desired, RolloutMath math, ReplicaSet newRs, List<ReplicaSet> old) {
        int newSpec = specReplicas(newRs);
        if (newSpec > desired) {
            scale(newRs, desired);
            return;
        }
        int total = newSpec + old.stream().mapToInt(DeploymentController::specReplicas).sum();
        int target = math.newReplicas(desired, total, newSpec);
        if (target != newSpec) {
            scale(newRs, target);
            return;
        }
        // Scale old ReplicaSets down (rolling.go reconcileOldReplicaSets), oldest first.
        int minAvailable = desired - math.maxUnavailable();
        int newUnavailable = newSpec - available(newRs);
        int maxScaledDown = total - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return;
        }
        Map<ReplicaSet, Integer> targets = new HashMap<>();
        for (ReplicaSet rs : old) {
            int spec = specReplicas(rs);
            int unhealthy = spec - available(rs);
            if (spec == 0 || unhealthy <= 0 || maxScaledDown <= 0) {
                continue;
            }
            int down = Math.min(maxScaledDown, unhealthy);
            targets.put(rs, spec - down);
            maxScaledDown -= down;
        }
        int availableAll = available(newRs) + old.stream().mapToInt(DeploymentController::available).sum();
        int budget = availableAll - minAvailable;
        for (ReplicaSet rs : old) {
            int spec = targets.getOrDefault(rs, specReplicas(rs));
            if (budget <= 0 || spec == 0) {
                continue;
            }
            int down = Math.min(spec, budget);
            targets.put(rs, spec - down);
            budget -= down;
        }
        targets.forEach((rs, replicas) -> {
            if (replicas != specReplicas(rs)) {
                scale(rs, replicas);
            }
        });
    }

    private ReplicaSet createNewReplicaSet(Deployment d, String hash, int replicas, List<ReplicaSet> old) {
        String namespace = d.getMetadata().getNamespace();
        Map<String, String> templateLabels = new HashMap<>(d.getSpec().getTemplate().getMetadata() == null
                || d.getSpec().getTemplate().getMetadata().getLabels() == null
                ? Map.of() : d.getSpec().getTemplate().getMetadata().getLabels());
        templateLabels.put(PodTemplateHash.LABEL, hash);
        var selector = new LabelSelectorBuilder(d.getSpec().getSelector()).addToMatchLabels(PodTemplateHash.LABEL, hash).build();
        long revision = old.stream().mapToLong(DeploymentController::revision).max().orElse(0) + 1;
        ReplicaSet rs = new ReplicaSetBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(d.getMetadata().getName() + "-" + hash)
                        .withNamespace(namespace)
                        .withLabels(templateLabels)
                        .addToAnnotations(REVISION, Long.toString(revision))
                        .addToAnnotations("deployment.kubernetes.io/desired-replicas",
                                Integer.toString(d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas()))
                        .withOwnerReferences(Owners.controllerRef(d, "apps/v1", "Deployment"))
                        .build())
                .withNewSpec()
                .withReplicas(replicas)
                .withMinReadySeconds(d.getSpec().getMinReadySeconds())
                .withSelector(selector)
                .withTemplate(new PodTemplateSpecBuilder(d.getSpec().getTemplate())
                        .editOrNewMetadata().withLabels(templateLabels).endMetadata().build())
                .endSpec()
                .build();
        try {
            ReplicaSet result = client.apps().replicaSets().inNamespace(namespace).resource(rs).create();
            LOG.info("deployment {}/{}: created replica set {} ({} replicas)", namespace, d.getMetadata().getName(),
                    rs.getMetadata().getName(), replicas);
            return result;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            ReplicaSet existing = client.apps().replicaSets().inNamespace(namespace)
                    .withName(rs.getMetadata().getName()).get();
            if (existing != null && Owners.isControlledBy(existing, d, "Deployment")) {
                return existing;
            }
            // Hash collision with a foreign ReplicaSet: bump collisionCount and retry (sync.go).
            int count = d.getStatus() == null || d.getStatus().getCollisionCount() == null ? 0 : d.getStatus().getCollisionCount();
            Deployment bumped = new DeploymentBuilder(d).editOrNewStatus().withCollisionCount(count + 1).endStatus().build();
            client.apps().deployments().inNamespace(namespace).resource(bumped).updateStatus();
            throw new IllegalStateException("replica set name collision: " + rs.getMetadata().getName(), e);
        }
    }

    private void scale(ReplicaSet rs, int replicas) {
        LOG.info("scaling replica set {}/{} from {} to {}", rs.getMetadata().getNamespace(), rs.getMetadata().getName(),
                specReplicas(rs), replicas);
        ReplicaSet updated = new ReplicaSetBuilder(rs).editSpec().withReplicas(replicas).endSpec().build();
        client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(updated).update();
    }

    private void pruneHistory(Deployment d, List<ReplicaSet> old) {
        int limit = d.getSpec().getRevisionHistoryLimit() == null ? 10 : d.getSpec().getRevisionHistoryLimit();
        List<ReplicaSet> idle = old.stream()
                .filter(rs -> specReplicas(rs) == 0 && statusReplicas(rs) == 0
                        && rs.getMetadata().getDeletionTimestamp() == null)
                .toList();
        for (int i = 0; i < idle.size() - limit; i++) {
            ReplicaSet rs = idle.get(i);
            client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                    .withName(rs.getMetadata().getName()).delete();
        }
    }

    private void updateStatus(Deployment d, int desired, RolloutMath math, Optional<ReplicaSet> newRs,
            List<ReplicaSet> all, boolean created) {
        int replicas = all.stream().mapToInt(DeploymentController::statusReplicas).sum();
        int specTotal = all.stream().mapToInt(DeploymentController::specReplicas).sum();
        int ready = all.stream().mapToInt(rs -> nz(rs.getStatus() == null ? null : rs.getStatus().getReadyReplicas())).sum();
        int available = all.stream().mapToInt(DeploymentController::available).sum();
        int updated = newRs.map(DeploymentController::statusReplicas).orElse(0);
        String rsName = newRs.map(rs -> rs.getMetadata().getName()).orElse("");
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        List<DeploymentCondition> conditions = new ArrayList<>();
        boolean minimum = available >= desired - math.maxUnavailable();
        conditions.add(condition(old, "Available", minimum ? "True" : "False",
                minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability."));
        boolean complete = updated == desired && replicas == desired && available == desired
                && newRs.map(rs -> specReplicas(rs) == desired).orElse(false);
        String reason;
        String message;
        if (created) {
            reason = "NewReplicaSetCreated";
            message = "Created new replica set \"" + rsName + "\"";
        } else if (complete) {
            reason = "NewReplicaSetAvailable";
            message = "ReplicaSet \"" + rsName + "\" has successfully progressed.";
        } else {
            reason = "ReplicaSetUpdated";
            message = "ReplicaSet \"" + rsName + "\" is progressing.";
        }
        conditions.add(condition(old, "Progressing", "True", reason, message));
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(ready)
                .withAvailableReplicas(available)
                .withUnavailableReplicas(Math.max(0, Math.max(specTotal, desired) - available))
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withCollisionCount(old.getCollisionCount())
                .withConditions(conditions)
                .build();
        if (Serialization.asJson(status).equals(Serialization.asJson(old))) {
            return;
        }
        Deployment next = new DeploymentBuilder(d).withStatus(status).build();
        try {
            client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(next).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** Keeps the old condition object (and its timestamps) when type, status, reason and message are equal. */
    private static DeploymentCondition condition(DeploymentStatus old, String type, String status, String reason,
            String message) {
        Optional<DeploymentCondition> previous = old.getConditions() == null ? Optional.empty()
                : old.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (previous.isPresent() && status.equals(previous.get().getStatus()) && reason.equals(previous.get().getReason())
                && Objects.equals(message, previous.get().getMessage())) {
            return previous.get();
        }
        String transition = previous.isPresent() && status.equals(previous.get().getStatus())
                && previous.get().getLastTransitionTime() != null ? previous.get().getLastTransitionTime() : now;
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastUpdateTime(now).withLastTransitionTime(transition).build();
    }

    private static Map<String, String> labels(ReplicaSet rs) {
        return rs.getMetadata().getLabels() == null ? Map.of() : rs.getMetadata().getLabels();
    }

    private static Map<String, String> annotations(ReplicaSet rs) {
        return rs.getMetadata().getAnnotations() == null ? Map.of() : rs.getMetadata().getAnnotations();
    }

    private static long revision(ReplicaSet rs) {
        try {
            return Long.parseLong(annotations(rs).getOrDefault(REVISION, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static int specReplicas(ReplicaSet rs) {
        return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    static int statusReplicas(ReplicaSet rs) {
        return rs.getStatus() == null ? 0 : nz(rs.getStatus().getReplicas());
    }

    static int available(ReplicaSet rs) {
        return rs.getStatus() == null ? 0 : nz(rs.getStatus().getAvailableReplicas());
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
