package dev.junction.proxy.userspace;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The iptables rules that steer Service traffic into the userspace proxy's listeners, as upstream
 * userspace mode wrote them (kubernetes v1.25 pkg/proxy/userspace/proxier.go
 * {@code iptablesContainerPortalArgs}, {@code iptablesHostPortalArgs}, {@code iptablesContainerNodePortArgs},
 * {@code iptablesHostNodePortArgs}): nat {@code KUBE-PORTALS-CONTAINER} (from PREROUTING) and
 * {@code KUBE-PORTALS-HOST} (from OUTPUT) {@code REDIRECT} each ClusterIP, external IP and
 * load-balancer IP port to the listener's port; {@code KUBE-NODEPORT-CONTAINER} /
 * {@code KUBE-NODEPORT-HOST} do the same for NodePorts on local addresses. A Service port without
 * endpoints gets no redirect but a {@code REJECT} in filter {@code KUBE-PORTALS-REJECT} (a Junction
 * addition, so that such connections are refused at once as in the other modes). Host traffic is
 * REDIRECTed too (to 127.0.0.1) where upstream DNATed it to the listen address. Pure.
 */
public final class PortalRules {
    /** nat chains and filter chain this mode owns. */
    public static final List<String> NAT_CHAINS = List.of("KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST",
            "KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST");
    /** The filter chain with REJECTs for ports without endpoints. */
    public static final String REJECT_CHAIN = "KUBE-PORTALS-REJECT";

    /** Jump rules: table, built-in chain, rule arguments. */
    public static final List<List<String>> JUMPS = List.of(
            List.of("nat", "PREROUTING", "-m", "comment", "--comment", "handle ClusterIPs; NOTE: this must be before the NodePort rules", "-j", "KUBE-PORTALS-CONTAINER"),
            List.of("nat", "OUTPUT", "-m", "comment", "--comment", "handle ClusterIPs; NOTE: this must be before the NodePort rules", "-j", "KUBE-PORTALS-HOST"),
            List.of("nat", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "handle service NodePorts; NOTE: this must be the last rule in the chain", "-j", "KUBE-NODEPORT-CONTAINER"),
            List.of("nat", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "handle service NodePorts; NOTE: this must be the last rule in the chain", "-j", "KUBE-NODEPORT-HOST"),
            List.of("filter", "INPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", REJECT_CHAIN),
            List.of("filter", "FORWARD", "-m", "conntrack", "--ctstate", "NEW", "-j", REJECT_CHAIN),
            List.of("filter", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", REJECT_CHAIN));

    private PortalRules() {
    }

    /**
     * The {@code iptables-restore --noflush} input.
     *
     * @param ports         every proxied port with its listener port
     * @param withEndpoints the ports that have endpoints (others are rejected)
     */
    public static String render(Map<ServicePortName, ServicePortInfo> ports, Map<ServicePortName, Integer> listenerPorts,
            java.util.Set<ServicePortName> withEndpoints) {
        requireNonNull(ports, "ports");
        requireNonNull(listenerPorts, "listenerPorts");
        requireNonNull(withEndpoints, "withEndpoints");
        List<String> nat = new ArrayList<>();
        List<String> filter = new ArrayList<>();
        for (Map.Entry<ServicePortName, ServicePortInfo> e : new java.util.TreeMap<>(ports).entrySet()) {
            ServicePortInfo svc = e.getValue();
            String proto = svc.protocol().lower();
            String comment = "-m comment --comment \"" + e.getKey() + "\"";
            List<String> vips = new ArrayList<>();
            vips.add(svc.clusterIP());
            vips.addAll(svc.externalIPs());
            vips.addAll(svc.loadBalancerIPs());
            Integer listener = listenerPorts.get(e.getKey());
            if (!withEndpoints.contains(e.getKey()) || listener == null) {
                for (String vip : vips) {
                    filter.add("-A " + REJECT_CHAIN + " " + comment + " -p " + proto + " -m " + proto + " --dport " + svc.port()
                            + " -d " + vip + "/32 -j REJECT");
                }
                if (svc.nodePort() != 0) {
                    filter.add("-A " + REJECT_CHAIN + " " + comment + " -m addrtype --dst-type LOCAL -p " + proto + " -m " + proto
                            + " --dport " + svc.nodePort() + " -j REJECT");
                }
                continue;
            }
            for (String chain : List.of("KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST")) {
                for (String vip : vips) {
                    nat.add("-A " + chain + " " + comment + " -p " + proto + " -m " + proto + " --dport " + svc.port()
                            + " -d " + vip + "/32 -j REDIRECT --to-ports " + listener);
                }
            }
            if (svc.nodePort() != 0) {
                for (String chain : List.of("KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST")) {
                    nat.add("-A " + chain + " " + comment + " -p " + proto + " -m " + proto + " --dport " + svc.nodePort()
                            + " -j REDIRECT --to-ports " + listener);
                }
            }
        }
        StringBuilder out = new StringBuilder("*nat\n");
        NAT_CHAINS.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        nat.forEach(r -> out.append(r).append('\n'));
        out.append("COMMIT\n*filter\n:").append(REJECT_CHAIN).append(" - [0:0]\n");
        filter.forEach(r -> out.append(r).append('\n'));
        return out.append("COMMIT\n").toString();
    }
}
