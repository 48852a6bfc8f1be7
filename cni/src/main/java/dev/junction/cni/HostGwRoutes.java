package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps one route per other node, {@code <podCIDR> via <node InternalIP>}, like flannel's
 * {@code host-gw} backend (flannel-io/flannel {@code pkg/backend/hostgw/hostgw.go} and
 * {@code pkg/backend/route_network.go}). Routes it owns carry {@code proto }{@value #PROTO}
 * so that {@link #sync} removes routes of nodes that left without touching anyone else's routes.
 */
public final class HostGwRoutes {
    /** The routing protocol number marking routes this class owns. */
    public static final String PROTO = "74";
    private final NodeExec node;

    /** @param node whose main routing table is managed */
    public HostGwRoutes(NodeExec node) {
        this.node = requireNonNull(node, "node");
    }

    /**
     * One other node.
     *
     * @param podCidr the node's pod CIDR, e.g. {@code 10.244.2.0/24}
     * @param nodeIp  the node's InternalIP, e.g. {@code 172.30.0.12}
     */
    public record NodeRoute(String podCidr, String nodeIp) {
        public NodeRoute {
            requireNonNull(podCidr, "podCidr");
            requireNonNull(nodeIp, "nodeIp");
            podCidr = PodCidr.parse(podCidr).toString();
            PodCidr.parseIp(nodeIp);
        }
    }

    /**
     * Makes the owned routes equal {@code routes}: replaces missing or changed ones and deletes
     * the rest.
     *
     * @throws dev.junction.common.CommandFailedException when a route cannot be replaced
     */
    public void sync(Collection<NodeRoute> routes) {
        requireNonNull(routes, "routes");
        Map<String, String> current = current();
        Map<String, String> desired = new LinkedHashMap<>();
        for (NodeRoute route : routes) {
            desired.put(route.podCidr(), route.nodeIp());
        }
        desired.forEach((cidr, via) -> {
            if (!via.equals(current.get(cidr))) {
                node.ip("route", "replace", cidr, "via", via, "proto", PROTO).orThrow();
            }
        });
        current.keySet().stream().filter(cidr -> !desired.containsKey(cidr))
                .forEach(cidr -> node.ip("route", "del", cidr, "proto", PROTO));
    }

    /** Owned routes now in the table: destination CIDR → gateway. */
    public Map<String, String> current() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : node.ip("-4", "route", "show", "proto", PROTO).stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 3) {
                continue;
            }
            String dest = f[0].contains("/") ? f[0] : f[0] + "/32";
            for (int i = 1; i + 1 < f.length; i++) {
                if (f[i].equals("via")) {
                    out.put(dest, f[i + 1]);
                }
            }
        }
        return out;
    }
}
