package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The proxy's own Node as far as rules care: its name, labels (topology), InternalIP/ExternalIP
 * addresses and pod CIDRs.
 *
 * @param name      Node name ({@code --hostname-override})
 * @param labels    Node labels
 * @param addresses status addresses of type InternalIP and ExternalIP, in API order
 * @param podCIDRs  {@code spec.podCIDRs}
 */
public record NodeInfo(String name, Map<String, String> labels, List<String> addresses, List<String> podCIDRs) {
    public NodeInfo {
        requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        addresses = List.copyOf(addresses);
        podCIDRs = List.copyOf(podCIDRs);
    }

    /** A Node known only by name (not yet seen in the API). */
    public static NodeInfo named(String name) {
        return new NodeInfo(name, Map.of(), List.of(), List.of());
    }

    /** Slims an API Node. */
    public static NodeInfo fromNode(Node node) {
        requireNonNull(node, "node");
        List<String> addresses = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress address : node.getStatus().getAddresses()) {
                if ("InternalIP".equals(address.getType()) || "ExternalIP".equals(address.getType())) {
                    addresses.add(address.getAddress());
                }
            }
        }
        List<String> podCIDRs = node.getSpec() == null || node.getSpec().getPodCIDRs() == null
                ? List.of() : node.getSpec().getPodCIDRs();
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return new NodeInfo(node.getMetadata().getName(), labels, addresses, podCIDRs);
    }
}
