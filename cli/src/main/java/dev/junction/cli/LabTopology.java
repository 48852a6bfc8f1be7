package dev.junction.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The addresses and names of a lab, as docs/COMPONENTS.md and ARCHITECTURE.md give them: node
 * network 172.30.0.0/24 in netns {@code jn-underlay} (bridge {@code br0}), control-plane node
 * {@code jn-node-cp} at .10 with pod CIDR 10.244.0.0/24, workers {@code jn-node-a}, {@code jn-node-b},
 * … at .11, .12, … with 10.244.1.0/24, 10.244.2.0/24, …, and the outside host {@code jn-client} at
 * .100. Pure data: creating it is {@link LabNetwork}'s job.
 *
 * @param nodes control-plane node first, then the workers
 */
public record LabTopology(List<LabNode> nodes) {
    /** The netns holding the node network's bridge. */
    public static final String UNDERLAY = "jn-underlay";
    /** The outside-the-cluster host. */
    public static final String CLIENT = "jn-client";
    public static final String CLIENT_IP = "172.30.0.100";
    public static final String NODE_NETWORK_PREFIX = "172.30.0.";
    public static final int NODE_NETWORK_BITS = 24;
    public static final String POD_CIDR = "10.244.0.0/16";
    public static final String SERVICE_CIDR = "10.96.0.0/12";
    public static final String CLUSTER_DNS = "10.96.0.10";
    /** ClusterIP of the {@code default/kubernetes} Service (first address of the Service CIDR). */
    public static final String KUBERNETES_SERVICE_IP = "10.96.0.1";
    public static final String CLUSTER_DOMAIN = "cluster.local";
    public static final int API_PORT = 6443;
    /** The second API server's port (labs with {@code --apiservers 2}), on the control-plane node and relayed on 127.0.0.1. */
    public static final int API_PORT_2 = 6444;
    /** etcd's client port on the control-plane node (storage backend etcd3). */
    public static final int ETCD_CLIENT_PORT = 2379;
    /** Every netns, link and file the lab makes starts with this. */
    public static final String PREFIX = "jn-";

    public LabTopology {
        nodes = List.copyOf(nodes);
    }

    /**
     * A lab with one control-plane node and {@code workers} workers.
     *
     * @throws IllegalArgumentException when workers is not 1..20
     */
    public static LabTopology of(int workers) {
        if (workers < 1 || workers > 20) {
            throw new IllegalArgumentException("nodes: " + workers + " (expected: 1-20)");
        }
        List<LabNode> nodes = new ArrayList<>();
        nodes.add(new LabNode("jn-node-cp", NODE_NETWORK_PREFIX + 10, "10.244.0.0/24", true));
        for (int i = 0; i < workers; i++) {
            String suffix = workers <= 26 ? String.valueOf((char) ('a' + i)) : String.valueOf(i);
            nodes.add(new LabNode("jn-node-" + suffix, NODE_NETWORK_PREFIX + (11 + i), "10.244." + (i + 1) + ".0/24", false));
        }
        return new LabTopology(nodes);
    }

    /** The control-plane node (runs the API server and controllers). */
    public LabNode controlPlane() {
        return nodes.get(0);
    }

    /** Worker nodes, where pods are scheduled. */
    public List<LabNode> workers() {
        return nodes.subList(1, nodes.size());
    }

    /** URL of the API server as seen from inside the lab (HTTPS with the lab CA, see {@link LabPki}). */
    public String apiServerUrl() {
        return "https://" + controlPlane().ip() + ":" + API_PORT;
    }

    /** URL of API server {@code index} (0 or 1) inside the lab. */
    public String apiServerUrl(int index) {
        return "https://" + controlPlane().ip() + ":" + (index == 0 ? API_PORT : API_PORT_2);
    }
}
