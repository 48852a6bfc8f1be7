package dev.junction.cli;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Renders the summary {@code junction up} prints: nodes, pods with IPs, Services with ClusterIP and NodePorts. */
final class ClusterSummary {
    private final KubernetesClient client;

    ClusterSummary(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-14s %-14s %-16s %s%n", "NODE", "INTERNAL-IP", "POD-CIDR", "ROLES"));
        List<Node> nodes = client.nodes().list().getItems();
        nodes.sort(Comparator.comparing(n -> n.getMetadata().getName()));
        for (Node node : nodes) {
            String ip = node.getStatus() == null || node.getStatus().getAddresses() == null ? "" : node.getStatus().getAddresses().stream()
                    .filter(a -> "InternalIP".equals(a.getType())).map(a -> a.getAddress()).findFirst().orElse("");
            boolean cp = node.getSpec().getTaints() != null && node.getSpec().getTaints().stream()
                    .anyMatch(t -> t.getKey().equals("node-role.kubernetes.io/control-plane"));
            out.append(String.format("%-14s %-14s %-16s %s%n", node.getMetadata().getName(), ip,
                    Objects.toString(node.getSpec().getPodCIDR(), ""), cp ? "control-plane" : "<none>"));
        }
        out.append(String.format("%n%-48s %-6s %-14s %s%n", "POD", "READY", "IP", "NODE"));
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
        pods.sort(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace()).thenComparing(p -> p.getMetadata().getName()));
        for (Pod pod : pods) {
            out.append(String.format("%-48s %-6s %-14s %s%n", pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                    ClusterReadiness.podReady(pod) ? "yes" : "no",
                    pod.getStatus() == null ? "" : Objects.toString(pod.getStatus().getPodIP(), ""),
                    Objects.toString(pod.getSpec().getNodeName(), "")));
        }
        out.append(String.format("%n%-48s %-13s %-14s %s%n", "SERVICE", "TYPE", "CLUSTER-IP", "PORT(S)"));
        List<Service> services = client.services().inAnyNamespace().list().getItems();
        services.sort(Comparator.comparing((Service s) -> s.getMetadata().getNamespace()).thenComparing(s -> s.getMetadata().getName()));
        for (Service svc : services) {
            out.append(String.format("%-48s %-13s %-14s %s%n", svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName(),
                    svc.getSpec().getType(), Objects.toString(svc.getSpec().getClusterIP(), ""), ports(svc.getSpec().getPorts())));
        }
        return out.toString();
    }

    /** {@code 80:30080/TCP,443/TCP}, as kubectl's PORT(S) column. */
    static String ports(List<ServicePort> ports) {
        if (ports == null || ports.isEmpty()) {
            return "<none>";
        }
        return ports.stream().map(p -> p.getPort() + (p.getNodePort() != null && p.getNodePort() > 0 ? ":" + p.getNodePort() : "")
                + "/" + Objects.toString(p.getProtocol(), "TCP")).collect(Collectors.joining(","));
    }
}
