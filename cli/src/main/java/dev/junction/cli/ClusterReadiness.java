package dev.junction.cli;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Waits for the lab to become usable: the API server answering, every lab node Ready, every
 * Deployment available ({@code availableReplicas ≥ replicas}, as {@code kubectl rollout status}
 * checks) and every Pod Ready. Polls every 250 ms.
 */
final class ClusterReadiness {
    private final KubernetesClient client;
    private final LabTopology topology;

    ClusterReadiness(KubernetesClient client, LabTopology topology) {
        this.client = Objects.requireNonNull(client, "client");
        this.topology = Objects.requireNonNull(topology, "topology");
    }

    /** @throws IllegalStateException when the API server does not answer within {@code timeout} */
    void awaitApiServer(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                client.namespaces().withName("default").get();
                return;
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the API server did not answer within " + timeout.toSeconds() + " s (see logs/apiserver.log)", last);
    }

    /**
     * @return empty when everything became ready within {@code timeout}; otherwise one line per
     *         object that is not, saying why
     */
    Optional<String> awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<String> problems = problems();
        while (!problems.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            problems = problems();
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", problems));
    }

    /** What is not ready now, one sentence per object. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        try {
            for (LabNode labNode : topology.nodes()) {
                Node node = client.nodes().withName(labNode.name()).get();
                if (node == null) {
                    problems.add("node " + labNode.name() + ": not registered yet (see logs/node-" + labNode.name() + ".log)");
                } else if (!condition(node)) {
                    problems.add("node " + labNode.name() + ": not Ready");
                }
            }
            for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
                int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                int available = d.getStatus() == null || d.getStatus().getAvailableReplicas() == null ? 0 : d.getStatus().getAvailableReplicas();
                if (available < want) {
                    problems.add("deployment " + d.getMetadata().getNamespace() + "/" + d.getMetadata().getName() + ": " + available + "/" + want + " available");
                }
            }
            for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
                if (!podReady(pod)) {
                    problems.add("pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + ": " + why(pod));
                }
            }
        } catch (RuntimeException e) {
            problems.add("API: " + e.getMessage());
        }
        return problems;
    }

    private static boolean condition(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static boolean podReady(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        if ("Succeeded".equals(pod.getStatus().getPhase())) {
            return true;
        }
        List<PodCondition> conditions = pod.getStatus().getConditions();
        return conditions != null && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String why(Pod pod) {
        if (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
            return "not scheduled";
        }
        if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
            return "no status yet from node " + pod.getSpec().getNodeName();
        }
        StringBuilder why = new StringBuilder(pod.getStatus().getPhase());
        if (pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null) {
                    why.append("; ").append(cs.getName()).append(": ").append(cs.getState().getWaiting().getReason())
                            .append(cs.getState().getWaiting().getMessage() == null ? "" : " (" + cs.getState().getWaiting().getMessage() + ")");
                } else if (cs.getState() != null && cs.getState().getTerminated() != null) {
                    why.append("; ").append(cs.getName()).append(": terminated ").append(cs.getState().getTerminated().getReason());
                } else if (!Boolean.TRUE.equals(cs.getReady())) {
                    why.append("; ").append(cs.getName()).append(": running, not ready");
                }
            }
        }
        return why.toString();
    }
}
