package dev.junction.proxy.iptables;

import static dev.junction.proxy.iptables.IptablesChains.KUBE_EXTERNAL_SERVICES;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_FORWARD;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_MARK_MASQ;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_NODEPORTS;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_POSTROUTING;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_PROXY_FIREWALL;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_SERVICES;
import static java.util.Objects.requireNonNull;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortName;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the complete {@code filter} and {@code nat} rules of kube-proxy's iptables mode from a
 * snapshot: a pure function, the text of upstream {@code syncProxyRules} (kubernetes
 * pkg/proxy/iptables/proxier.go, v1.33) in the same structure, order and comments:
 * <ul>
 *   <li>filter: {@code KUBE-SERVICES} (REJECT for ClusterIPs without endpoints),
 *       {@code KUBE-EXTERNAL-SERVICES} (REJECT for NodePorts without endpoints), {@code KUBE-FORWARD},
 *       {@code KUBE-NODEPORTS}, {@code KUBE-PROXY-FIREWALL};</li>
 *   <li>nat: {@code KUBE-SERVICES} → {@code KUBE-SVC-*} (ClusterIP) and, last,
 *       {@code KUBE-NODEPORTS} → {@code KUBE-EXT-*} → {@code KUBE-SVC-*}; each {@code KUBE-SVC-*} marks
 *       off-cluster clients ({@code ! -s clusterCIDR}) for masquerade, applies ClientIP affinity with
 *       {@code -m recent} and picks an endpoint with {@code -m statistic --mode random --probability
 *       1/(n-i)}; each {@code KUBE-SEP-*} masquerades hairpin traffic and DNATs;
 *       {@code KUBE-POSTROUTING} masquerades marked packets with {@code --random-fully}.</li>
 * </ul>
 * Services are written sorted by name (upstream iterates a Go map). Only ready endpoints receive
 * traffic and every Service is treated with Cluster traffic policy; external IPs, load-balancer IPs,
 * source ranges, Local policies and terminating-endpoint fallback are not rendered yet. NodePorts
 * are not opened on 127.0.0.0/8 (upstream's {@code localhostNodePorts=false}: Junction sets no
 * sysctl such as {@code route_localnet}). Like upstream, comments are dropped from per-endpoint
 * rules when the snapshot has more than 1000 endpoints.
 */
public final class IptablesRenderer {
    /** Upstream {@code largeClusterEndpointsThreshold}. */
    static final int LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

    private IptablesRenderer() {
    }

    /**
     * @param snapshot Services and endpoints
     * @param config   masquerade bit, clusterCIDR, masqueradeAll, nodePortAddresses
     * @param node     this node (its addresses select NodePort destinations when nodePortAddresses is set)
     * @return both tables' chains and rules
     */
    public static IptablesRules render(ProxySnapshot snapshot, ProxyConfig config, NodeInfo node) {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(config, "config");
        requireNonNull(node, "node");
        List<String> filterChains = new ArrayList<>(List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD,
                KUBE_NODEPORTS, KUBE_PROXY_FIREWALL));
        List<String> filterRules = new ArrayList<>();
        List<String> natChains = new ArrayList<>(List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ));
        List<String> natRules = new ArrayList<>();
        String mark = config.masqueradeMark();

        natRules.add(rule(KUBE_POSTROUTING, "-m mark ! --mark " + mark + "/" + mark + " -j RETURN"));
        natRules.add(rule(KUBE_POSTROUTING, "-j MARK --xor-mark " + mark));
        natRules.add(rule(KUBE_POSTROUTING,
                "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully"));
        natRules.add(rule(KUBE_MARK_MASQ, "-j MARK --or-mark " + mark));

        int totalEndpoints = 0;
        for (ServicePortName name : snapshot.services().ports().keySet()) {
            totalEndpoints += snapshot.endpoints().get(name).size();
        }
        boolean largeCluster = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;

        for (Map.Entry<ServicePortName, ServicePortInfo> entry : snapshot.services().ports().entrySet()) {
            ServicePortName name = entry.getKey();
            ServicePortInfo svc = entry.getValue();
            List<EndpointInfo> endpoints = snapshot.endpoints().ready(name);
            String proto = svc.protocol().lower();
            String svcName = name.toString();
            String clusterChain = IptablesChains.servicePortPolicyClusterChain(name);
            String externalChain = IptablesChains.serviceExternalChain(name);
            boolean hasEndpoints = !endpoints.isEmpty();
            boolean usesExternalChain = hasEndpoints && svc.nodePort() != 0;
            String clusterIpMatch = "-m comment --comment \"" + svcName + " cluster IP\" -m " + proto + " -p " + proto
                    + " -d " + svc.clusterIP() + " --dport " + svc.port();

            // Capture the ClusterIP.
            if (hasEndpoints) {
                natRules.add(rule(KUBE_SERVICES, clusterIpMatch + " -j " + clusterChain));
            } else {
                filterRules.add(rule(KUBE_SERVICES, "-m comment --comment \"" + svcName + " has no endpoints\" -m " + proto
                        + " -p " + proto + " -d " + svc.clusterIP() + " --dport " + svc.port() + " -j REJECT"));
            }
            // Capture the NodePort.
            if (svc.nodePort() != 0) {
                if (hasEndpoints) {
                    natRules.add(rule(KUBE_NODEPORTS, "-m comment --comment " + svcName + " -m " + proto + " -p " + proto
                            + " --dport " + svc.nodePort() + " -j " + externalChain));
                } else {
                    filterRules.add(rule(KUBE_EXTERNAL_SERVICES, "-m comment --comment \"" + svcName
                            + " has no endpoints\" -m addrtype --dst-type LOCAL -m " + proto + " -p " + proto
                            + " --dport " + svc.nodePort() + " -j REJECT"));
                }
            }
            // Health check node ports are accepted whether or not there are local endpoints.
            if (svc.healthCheckNodePort() != 0) {
                filterRules.add(rule(KUBE_NODEPORTS, "-m comment --comment \"" + svcName
                        + " health check node port\" -m tcp -p tcp --dport " + svc.healthCheckNodePort() + " -j ACCEPT"));
            }
            if (!hasEndpoints) {
                continue;
            }
            // Internal traffic: masquerade what does not come from a pod.
            if (config.masqueradeAll()) {
                natRules.add(rule(clusterChain, clusterIpMatch + " -j " + KUBE_MARK_MASQ));
            } else if (config.clusterCIDR().isPresent()) {
                natRules.add(rule(clusterChain, clusterIpMatch + " ! -s " + config.clusterCIDR().get() + " -j " + KUBE_MARK_MASQ));
            }
            // External traffic (Cluster policy): always masquerade, then the service chain.
            if (usesExternalChain) {
                natChains.add(externalChain);
                natRules.add(rule(externalChain, "-m comment --comment \"masquerade traffic for " + svcName
                        + " external destinations\" -j " + KUBE_MARK_MASQ));
                natRules.add(rule(externalChain, "-j " + clusterChain));
            }
            natChains.add(clusterChain);
            writeServiceToEndpointRules(natRules, name, svc, clusterChain, endpoints, largeCluster);
            for (EndpointInfo endpoint : endpoints) {
                String sep = IptablesChains.servicePortEndpointChain(name, endpoint);
                natChains.add(sep);
                String head = "-A " + sep + (largeCluster ? "" : " -m comment --comment " + svcName);
                natRules.add(head + " -s " + endpoint.ip() + " -j " + KUBE_MARK_MASQ);
                String recent = svc.sessionAffinity().clientIp() ? " -m recent --name " + sep + " --set" : "";
                natRules.add(head + recent + " -m " + proto + " -p " + proto + " -j DNAT --to-destination "
                        + endpoint.endpoint());
            }
        }

        // Finally, the tail call to KUBE-NODEPORTS; it must stay the last rule of KUBE-SERVICES.
        String nodePortsComment = "-m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\"";
        if (config.nodePortAddresses().isEmpty()) {
            natRules.add(rule(KUBE_SERVICES, nodePortsComment + " -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j " + KUBE_NODEPORTS));
        } else {
            for (String ip : nodePortIPs(config.nodePortAddresses(), node)) {
                natRules.add(rule(KUBE_SERVICES, nodePortsComment + " -d " + ip + " -j " + KUBE_NODEPORTS));
            }
        }

        filterRules.add(rule(KUBE_FORWARD, "-m conntrack --ctstate INVALID -j DROP"));
        filterRules.add(rule(KUBE_FORWARD, "-m comment --comment \"kubernetes forwarding rules\" -m mark --mark "
                + mark + "/" + mark + " -j ACCEPT"));
        filterRules.add(rule(KUBE_FORWARD, "-m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack"
                + " --ctstate RELATED,ESTABLISHED -j ACCEPT"));
        return new IptablesRules(filterChains, filterRules, natChains, natRules);
    }

    /**
     * The probability of the i-th of n remaining endpoints, {@code 1/n} printed with 10 decimals as
     * upstream's {@code fmt.Sprintf("%0.10f", 1.0/float64(n))}.
     */
    public static String probability(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 1)");
        }
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    /** Upstream {@code writeServiceToEndpointRules}: affinity checks first, then the random split. */
    private static void writeServiceToEndpointRules(List<String> natRules, ServicePortName name, ServicePortInfo svc,
            String svcChain, List<EndpointInfo> endpoints, boolean largeCluster) {
        if (svc.sessionAffinity().clientIp()) {
            for (EndpointInfo endpoint : endpoints) {
                String sep = IptablesChains.servicePortEndpointChain(name, endpoint);
                natRules.add("-A " + svcChain + comment(name, endpoint, largeCluster) + " -m recent --name " + sep
                        + " --rcheck --seconds " + svc.sessionAffinity().timeoutSeconds() + " --reap -j " + sep);
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            EndpointInfo endpoint = endpoints.get(i);
            String sep = IptablesChains.servicePortEndpointChain(name, endpoint);
            String statistic = i < n - 1 ? " -m statistic --mode random --probability " + probability(n - i) : "";
            natRules.add("-A " + svcChain + comment(name, endpoint, largeCluster) + statistic + " -j " + sep);
        }
    }

    private static String comment(ServicePortName name, EndpointInfo endpoint, boolean largeCluster) {
        return largeCluster ? "" : " -m comment --comment \"" + name + " -> " + endpoint.endpoint() + "\"";
    }

    private static List<String> nodePortIPs(List<String> cidrs, NodeInfo node) {
        List<String> out = new ArrayList<>();
        for (String address : node.addresses()) {
            IPAddress ip = new IPAddressString(address).getAddress();
            if (ip == null || !ip.isIPv4()) {
                continue;
            }
            for (String cidr : cidrs) {
                IPAddress block = new IPAddressString(cidr).getAddress();
                if (block != null && block.toPrefixBlock().contains(ip)) {
                    out.add(ip.toCanonicalString());
                    break;
                }
            }
        }
        return out;
    }

    private static String rule(String chain, String rest) {
        return "-A " + chain + " " + rest;
    }
}
