package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Wires a pod sandbox the way the CNI {@code bridge} plugin does for {@code ADD}
 * (containernetworking/plugins {@code plugins/main/bridge/bridge.go}, {@code pkg/ip/link_linux.go}
 * {@code SetupVeth}): network namespace {@code ip netns add <podns>}, a veth pair whose host side
 * {@code veth<8 hex>} joins {@code cni0} with hairpin mode on (kubelet's hairpin-veth mode) and
 * whose peer becomes {@code eth0} in the pod with {@code <ip>/<prefix>}, loopback up and a default
 * route via the gateway. {@link #tearDown} is {@code DEL}. Both are idempotent.
 */
public final class PodNetworkSetup {
    private final NodeExec node;

    /** @param node where {@code cni0} lives */
    public PodNetworkSetup(NodeExec node) {
        this.node = requireNonNull(node, "node");
    }

    /** The host-side veth name for a pod netns: {@code veth} + 8 hex characters of a SHA-256 (15 chars max). */
    public static String hostVethName(String podNetns) {
        requireNonNull(podNetns, "podNetns");
        return "veth" + PodNetns.hash(podNetns).substring(0, 8);
    }

    /** True when {@code /var/run/netns/<netns>} is listed by {@code ip netns list}. */
    public boolean netnsExists(String netns) {
        requireNonNull(netns, "netns");
        return listNetns().contains(netns);
    }

    /** Names listed by {@code ip netns list}. */
    public Set<String> listNetns() {
        Set<String> out = new TreeSet<>();
        for (String line : node.runner().run("ip", "netns", "list").stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /**
     * Creates (or completes) the pod's sandbox network.
     *
     * @param podNetns the pod's namespace name
     * @param ip       the pod's address inside {@code cidr}
     * @param cidr     the node's pod CIDR ({@code cni0} must already be set up, see {@link Bridge})
     * @return what was wired
     * @throws dev.junction.common.CommandFailedException when a step fails
     */
    public PodNetwork setUp(String podNetns, String ip, PodCidr cidr) {
        requireNonNull(podNetns, "podNetns");
        requireNonNull(ip, "ip");
        requireNonNull(cidr, "cidr");
        if (!cidr.contains(ip)) {
            throw new IllegalArgumentException("ip: " + ip + " (expected: inside " + cidr + ")");
        }
        String veth = hostVethName(podNetns);
        if (!netnsExists(podNetns)) {
            node.runner().check("ip", "netns", "add", podNetns);
        }
        node.ipIn(podNetns, "link", "set", "lo", "up").orThrow();
        boolean hostSide = node.ip("link", "show", "dev", veth).ok();
        boolean podSide = node.ipIn(podNetns, "link", "show", "dev", "eth0").ok();
        if (!hostSide || !podSide) {
            if (hostSide) {
                node.ip("link", "del", veth);
            }
            if (podSide) {
                node.ipIn(podNetns, "link", "del", "eth0");
            }
            node.ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", podNetns).orThrow();
        }
        node.ip("link", "set", veth, "master", Bridge.NAME).orThrow();
        node.ip("link", "set", veth, "type", "bridge_slave", "hairpin", "on").orThrow();
        node.ip("link", "set", veth, "up").orThrow();
        node.ipIn(podNetns, "addr", "replace", ip + "/" + cidr.prefixLen(), "dev", "eth0").orThrow();
        node.ipIn(podNetns, "link", "set", "eth0", "up").orThrow();
        node.ipIn(podNetns, "route", "replace", "default", "via", cidr.gateway(), "dev", "eth0").orThrow();
        return new PodNetwork(podNetns, veth, ip, cidr.toString());
    }

    /**
     * Removes the pod's veth and namespace; missing pieces are ignored.
     *
     * @throws dev.junction.common.CommandFailedException when the namespace exists but cannot be deleted
     */
    public void tearDown(String podNetns) {
        requireNonNull(podNetns, "podNetns");
        String veth = hostVethName(podNetns);
        if (node.ip("link", "show", "dev", veth).ok()) {
            node.ip("link", "del", veth);
        }
        if (netnsExists(podNetns)) {
            CommandResult result = node.runner().run(List.of("ip", "netns", "del", podNetns));
            if (!result.ok() && netnsExists(podNetns)) {
                result.orThrow();
            }
        }
    }

    /**
     * What {@link #setUp} wired.
     *
     * @param netns    the pod's namespace name
     * @param hostVeth the host-side veth on {@code cni0}
     * @param ip       the pod's IPv4 address
     * @param cidr     the node's pod CIDR
     */
    public record PodNetwork(String netns, String hostVeth, String ip, String cidr) {
        public PodNetwork {
            requireNonNull(netns, "netns");
            requireNonNull(hostVeth, "hostVeth");
            requireNonNull(ip, "ip");
            requireNonNull(cidr, "cidr");
        }
    }
}
