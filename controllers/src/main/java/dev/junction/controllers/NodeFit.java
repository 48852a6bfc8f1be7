package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler's filter and score, a pure function of (pod, nodes, pods per node). Filters follow the
 * upstream plugins {@code NodeUnschedulable}, {@code NodeName}, {@code NodeAffinity} (nodeSelector only)
 * and {@code TaintToleration} (NoSchedule and NoExecute taints must be tolerated, matching as
 * upstream {@code v1helper.TolerationsTolerateTaint}), plus node condition Ready=True. The score
 * picks the node with the fewest pods, ties broken by node name.
 */
final class NodeFit {
    private NodeFit() {
    }

    /** The outcome: the chosen node, or the reason every node was rejected. */
    record Result(Optional<String> node, String message) {
    }

    static Result choose(Pod pod, List<Node> nodes, Map<String, Integer> podsPerNode) {
        List<Node> feasible = nodes.stream().filter(n -> rejection(pod, n).isEmpty()).toList();
        if (feasible.isEmpty()) {
            Map<String, Long> reasons = nodes.stream().map(n -> rejection(pod, n).orElse(""))
                    .collect(java.util.stream.Collectors.groupingBy(r -> r, java.util.TreeMap::new,
                            java.util.stream.Collectors.counting()));
            StringBuilder msg = new StringBuilder("0/" + nodes.size() + " nodes are available");
            String sep = ": ";
            for (var e : reasons.entrySet()) {
                msg.append(sep).append(e.getValue()).append(' ').append(e.getKey());
                sep = ", ";
            }
            return new Result(Optional.empty(), msg.append('.').toString());
        }
        Node best = feasible.stream()
                .min(Comparator.comparing((Node n) -> podsPerNode.getOrDefault(n.getMetadata().getName(), 0))
                        .thenComparing(n -> n.getMetadata().getName()))
                .orElseThrow();
        return new Result(Optional.of(best.getMetadata().getName()), "");
    }

    /** Why {@code node} cannot run {@code pod}, in upstream's wording; empty when it can. */
    static Optional<String> rejection(Pod pod, Node node) {
        boolean ready = node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!ready) {
            return Optional.of("node(s) were not ready");
        }
        if (Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())) {
            return Optional.of("node(s) were unschedulable");
        }
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        if (selector != null && !LabelSelectors.matches(selector, node.getMetadata().getLabels())) {
            return Optional.of("node(s) didn't match Pod's node affinity/selector");
        }
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        for (Taint taint : taints) {
            if (("NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect()))
                    && tolerations.stream().noneMatch(t -> tolerates(t, taint))) {
                return Optional.of("node(s) had untolerated taint {" + taint.getKey()
                        + (taint.getValue() == null || taint.getValue().isEmpty() ? "" : ": " + taint.getValue()) + "}");
            }
        }
        return Optional.empty();
    }

    /** Upstream {@code Toleration.ToleratesTaint}. */
    static boolean tolerates(Toleration t, Taint taint) {
        if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (t.getKey() != null && !t.getKey().isEmpty() && !t.getKey().equals(taint.getKey())) {
            return false;
        }
        String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
        if ("Exists".equals(op)) {
            return true;
        }
        String value = t.getValue() == null ? "" : t.getValue();
        String taintValue = taint.getValue() == null ? "" : taint.getValue();
        return "Equal".equals(op) && (t.getKey() != null && !t.getKey().isEmpty()) && value.equals(taintValue);
    }
}
