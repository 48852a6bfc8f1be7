package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up the node's pod bridge as the CNI {@code bridge} plugin does with {@code isGateway: true}
 * (containernetworking/plugins {@code plugins/main/bridge/bridge.go}): bridge {@code cni0} holding
 * the gateway address ({@code .1} of the pod CIDR, with the CIDR's prefix length), up; IPv4
 * forwarding on; {@code net.bridge.bridge-nf-call-iptables=1} so that iptables (kube-proxy's DNAT)
 * sees bridged traffic, including hairpin traffic (see kubernetes {@code pkg/kubelet/network}
 * hairpin notes). Idempotent.
 */
public final class Bridge {
    /** The bridge name used by the CNI bridge plugin's default configuration. */
    public static final String NAME = "cni0";
    private static final Logger log = LoggerFactory.getLogger(Bridge.class);
    private final NodeExec node;

    /** @param node where the bridge lives */
    public Bridge(NodeExec node) {
        this.node = requireNonNull(node, "node");
    }

    /**
     * Creates or repairs {@code cni0} for {@code cidr} and sets the sysctls.
     *
     * @throws dev.junction.common.CommandFailedException when {@code ip} fails or ip_forward cannot be set
     */
    public void setUp(PodCidr cidr) {
        requireNonNull(cidr, "cidr");
        if (!node.ip("link", "show", "dev", NAME).ok()) {
            node.ip("link", "add", NAME, "type", "bridge").orThrow();
        }
        node.ip("addr", "replace", cidr.gateway() + "/" + cidr.prefixLen(), "dev", NAME).orThrow();
        node.ip("link", "set", NAME, "up").orThrow();
        node.run("sysctl", "-w", "net.ipv4.ip_forward=1").orThrow();
        sysctlBestEffort("net.bridge.bridge-nf-call-iptables=1");
        sysctlBestEffort("net.ipv4.conf.all.promote_secondaries=1");
    }

    private void sysctlBestEffort(String setting) {
        CommandResult result = node.run("sysctl", "-w", setting);
        if (!result.ok()) {
            log.warn("sysctl {} failed (is br_netfilter loaded?): {}", setting, result.stderr().strip());
        }
    }
}
