package dev.junction.cli;

/**
 * One node of the lab: a network namespace on the node network with its own pod CIDR.
 *
 * @param name         Node object name, equal to its netns name (e.g. {@code jn-node-a})
 * @param ip           InternalIP on the node network (e.g. {@code 172.30.0.11})
 * @param podCidr      the node's spec.podCIDR (e.g. {@code 10.244.1.0/24})
 * @param controlPlane true for the node that runs the API server; it carries the
 *                     {@code node-role.kubernetes.io/control-plane:NoSchedule} taint
 */
public record LabNode(String name, String ip, String podCidr, boolean controlPlane) {

    /** The netns holding this node; equal to the node name. */
    public String netns() {
        return name;
    }

    /** Path for {@code nsenter --net=…}. */
    public String netnsPath() {
        return "/var/run/netns/" + name;
    }
}
