package dev.junction.proxy.iptables;

import static dev.junction.proxy.iptables.IptablesChains.KUBE_EXTERNAL_SERVICES;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_FORWARD;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_MARK_MASQ;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_NODEPORTS;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_POSTROUTING;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_PROXY_FIREWALL;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_SERVICES;
import static java.util.Objects.requireNonNull;

import dev.junction.proxy.CategorizedEndpoints;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.NamespacedName;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortName;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Renders the {@code filter} and {@code nat} rules of kube-proxy's iptables mode from a snapshot: a
 * pure function, the text of upstream {@code syncProxyRules} (kubernetes
 * pkg/proxy/iptables/proxier.go, v1.33) in the same structure, order and comments:
 * <ul>
 *   <li>filter: {@code KUBE-SERVICES} (REJECT for ClusterIPs without endpoints, DROP when
 *       internalTrafficPolicy Local has no local endpoint), {@code KUBE-EXTERNAL-SERVICES} (REJECT /
 *       DROP for external IPs, load-balancer IPs and NodePorts without (local) endpoints),
 *       {@code KUBE-FORWARD}, {@code KUBE-NODEPORTS} (health-check node ports),
 *       {@code KUBE-PROXY-FIREWALL} (drops for loadBalancerSourceRanges);</li>
 *   <li>nat: {@code KUBE-SERVICES} → {@code KUBE-SVC-*}/{@code KUBE-SVL-*} (ClusterIP),
 *       {@code KUBE-EXT-*} (external IPs, load-balancer IPs via {@code KUBE-FW-*} when source ranges
 *       are set) and, last, {@code KUBE-NODEPORTS} → {@code KUBE-EXT-*}; {@code KUBE-EXT-*} masquerades
 *       (Cluster policy) or short-circuits pod and host traffic to {@code KUBE-SVC-*} and sends the rest
 *       to {@code KUBE-SVL-*} (Local policy); {@code KUBE-SVC/SVL-*} apply ClientIP affinity with
 *       {@code -m recent} and pick an endpoint with {@code -m statistic --mode random --probability
 *       1/(n-i)}; each {@code KUBE-SEP-*} masquerades hairpin traffic and DNATs.</li>
 * </ul>
 * Endpoints are chosen by {@link CategorizedEndpoints} (ready, else serving-and-terminating).
 * Services are written sorted by name (upstream iterates a Go map). NodePorts are not opened on
 * 127.0.0.0/8 (upstream's {@code localhostNodePorts=false}: Junction sets no sysctl such as
 * {@code route_localnet}), so there is no {@code KUBE-FIREWALL} chain; no {@code nfacct}. Like
 * upstream, comments are dropped from per-endpoint rules above 1000 endpoints, and a partial render
 * ({@link #render(ProxySnapshot, ProxyConfig, NodeInfo, Predicate)}) leaves out the per-service nat
 * chains of Services that did not change (they stay in place, still counted as active).
 */
public final class IptablesRenderer {
    /** Upstream {@code largeClusterEndpointsThreshold}. */
    static final int LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

    private static final String[] PROBABILITIES = new String[1025];

    static {
        for (int n = 1; n < PROBABILITIES.length; n++) {
            PROBABILITIES[n] = String.format(Locale.ROOT, "%.10f", 1.0 / n);
        }
    }

    private IptablesRenderer() {
    }

    /**
     * A full render: every chain and rule.
     *
     * @param snapshot Services and endpoints
     * @param config   masquerade bit, clusterCIDR, masqueradeAll, nodePortAddresses
     * @param node     this node (its addresses select NodePort destinations when nodePortAddresses is
     *                 set, and allow node-originated traffic through {@code KUBE-FW-*})
     * @return both tables' chains and rules
     */
    public static IptablesRules render(ProxySnapshot snapshot, ProxyConfig config, NodeInfo node) {
        return render(snapshot, config, node, s -> true);
    }

    /**
     * A partial render (upstream's partial sync): the top-level chains are complete, but the
     * {@code KUBE-SVC/SVL/EXT/FW/SEP} chains are written only for Services that {@code changed}
     * accepts; the others are still listed in {@link IptablesRules#activeChains()}.
     */
    public static IptablesRules render(ProxySnapshot snapshot, ProxyConfig config, NodeInfo node,
            Predicate<NamespacedName> changed) {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(config, "config");
        requireNonNull(node, "node");
        requireNonNull(changed, "changed");
        List<String> filterChains = new ArrayList<>(List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD,
                KUBE_NODEPORTS, KUBE_PROXY_FIREWALL));
        List<String> filterRules = new ArrayList<>();
        List<String> natChains = new ArrayList<>(List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ));
        // ~250-300 characters of rules per endpoint without comments (SEP ×2, SVC ×1); grows if needed.
        RuleText natRules = new RuleText((int) Math.min(1 << 30, 320L * totalEndpointsHint(snapshot)));
        Set<String> active = new HashSet<>(Math.max(16, totalEndpointsHint(snapshot) * 3));
        List<String> skippedChains = new ArrayList<>();
        RuleText skippedRules = new RuleText(4096);
        String mark = config.masqueradeMark();

        natRules.add(rule(KUBE_POSTROUTING, "-m mark ! --mark " + mark + "/" + mark + " -j RETURN"));
        natRules.add(rule(KUBE_POSTROUTING, "-j MARK --xor-mark " + mark));
        natRules.add(rule(KUBE_POSTROUTING,
                "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully"));
        natRules.add(rule(KUBE_MARK_MASQ, "-j MARK --or-mark " + mark));

        // One endpoints lookup per port (the snapshot's maps are sorted trees).
        List<List<EndpointInfo>> endpointsByPort = new ArrayList<>(snapshot.services().ports().size());
        int totalEndpoints = 0;
        for (ServicePortName name : snapshot.services().ports().keySet()) {
            List<EndpointInfo> endpoints = snapshot.endpoints().get(name);
            endpointsByPort.add(endpoints);
            totalEndpoints += endpoints.size();
        }
        int portIndex = 0;
        boolean largeCluster = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;
        String localMatch = config.clusterCIDR().map(c -> "-s " + c).orElse("");
        String notLocalMatch = config.clusterCIDR().map(c -> "! -s " + c).orElse("");

        for (Map.Entry<ServicePortName, ServicePortInfo> entry : snapshot.services().ports().entrySet()) {
            ServicePortName name = entry.getKey();
            ServicePortInfo svc = entry.getValue();
            String proto = svc.protocol().lower();
            String svcName = name.toString();
            CategorizedEndpoints eps = CategorizedEndpoints.of(endpointsByPort.get(portIndex++), svc);
            String clusterPolicyChain = IptablesChains.servicePortPolicyClusterChain(name);
            String localPolicyChain = IptablesChains.servicePortPolicyLocalChain(name);
            String externalChain = IptablesChains.serviceExternalChain(name);
            String fwChain = IptablesChains.serviceFirewallChain(name);
            boolean usesClusterPolicyChain = !eps.cluster().isEmpty() && svc.usesClusterEndpoints();
            boolean usesLocalPolicyChain = !eps.local().isEmpty() && svc.usesLocalEndpoints();
            boolean hasEndpoints = eps.hasAnyEndpoints();

            String internalChain = clusterPolicyChain;
            boolean hasInternalEndpoints = hasEndpoints;
            if (svc.internalPolicyLocal()) {
                internalChain = localPolicyChain;
                hasInternalEndpoints = hasInternalEndpoints && !eps.local().isEmpty();
            }
            String externalPolicyChain = clusterPolicyChain;
            boolean hasExternalEndpoints = hasEndpoints;
            if (svc.externalPolicyLocal()) {
                externalPolicyChain = localPolicyChain;
                hasExternalEndpoints = hasExternalEndpoints && !eps.local().isEmpty();
            }
            boolean usesExternalChain = hasEndpoints && svc.externallyAccessible();
            boolean usesFwChain = hasEndpoints && !svc.loadBalancerIPs().isEmpty()
                    && !svc.loadBalancerSourceRanges().isEmpty();
            String loadBalancerChain = usesFwChain ? fwChain : externalChain;

            String internalFilterTarget = "";
            String internalFilterComment = "";
            String externalFilterTarget = "";
            String externalFilterComment = "";
            if (!hasEndpoints) {
                internalFilterTarget = "REJECT";
                internalFilterComment = "\"" + svcName + " has no endpoints\"";
                externalFilterTarget = "REJECT";
                externalFilterComment = internalFilterComment;
            } else {
                if (!hasInternalEndpoints) {
                    internalFilterTarget = "DROP";
                    internalFilterComment = "\"" + svcName + " has no local endpoints\"";
                }
                if (!hasExternalEndpoints) {
                    externalFilterTarget = "DROP";
                    externalFilterComment = "\"" + svcName + " has no local endpoints\"";
                }
            }
            String protoMatch = " -m " + proto + " -p " + proto;
            String port = Integer.toString(svc.port());

            // Capture the ClusterIP.
            if (hasInternalEndpoints) {
                natRules.add(rule(KUBE_SERVICES, "-m comment --comment \"" + svcName + " cluster IP\"" + protoMatch
                        + " -d " + svc.clusterIP() + " --dport " + port + " -j " + internalChain));
            } else {
                filterRules.add(rule(KUBE_SERVICES, "-m comment --comment " + internalFilterComment + protoMatch
                        + " -d " + svc.clusterIP() + " --dport " + port + " -j " + internalFilterTarget));
            }
            // Capture external IPs.
            for (String externalIP : svc.externalIPs()) {
                if (hasEndpoints) {
                    natRules.add(rule(KUBE_SERVICES, "-m comment --comment \"" + svcName + " external IP\"" + protoMatch
                            + " -d " + externalIP + " --dport " + port + " -j " + externalChain));
                }
                if (!hasExternalEndpoints) {
                    filterRules.add(rule(KUBE_EXTERNAL_SERVICES, "-m comment --comment " + externalFilterComment + protoMatch
                            + " -d " + externalIP + " --dport " + port + " -j " + externalFilterTarget));
                }
            }
            // Capture load-balancer ingress IPs.
            for (String lbIP : svc.loadBalancerIPs()) {
                if (hasEndpoints) {
                    natRules.add(rule(KUBE_SERVICES, "-m comment --comment \"" + svcName + " loadbalancer IP\"" + protoMatch
                            + " -d " + lbIP + " --dport " + port + " -j " + loadBalancerChain));
                }
                if (usesFwChain) {
                    filterRules.add(rule(KUBE_PROXY_FIREWALL, "-m comment --comment \"" + svcName + " traffic not accepted by "
                            + fwChain + "\"" + protoMatch + " -d " + lbIP + " --dport " + port + " -j DROP"));
                }
            }
            if (!hasExternalEndpoints) {
                for (String lbIP : svc.loadBalancerIPs()) {
                    filterRules.add(rule(KUBE_EXTERNAL_SERVICES, "-m comment --comment " + externalFilterComment + protoMatch
                            + " -d " + lbIP + " --dport " + port + " -j " + externalFilterTarget));
                }
            }
            // Capture the NodePort (not subject to loadBalancerSourceRanges, as upstream).
            if (svc.nodePort() != 0) {
                if (hasEndpoints) {
                    natRules.add(rule(KUBE_NODEPORTS, "-m comment --comment " + svcName + protoMatch
                            + " --dport " + svc.nodePort() + " -j " + externalChain));
                }
                if (!hasExternalEndpoints) {
                    filterRules.add(rule(KUBE_EXTERNAL_SERVICES, "-m comment --comment " + externalFilterComment
                            + " -m addrtype --dst-type LOCAL" + protoMatch + " --dport " + svc.nodePort()
                            + " -j " + externalFilterTarget));
                }
            }
            // Health check node ports are accepted whether or not there are local endpoints.
            if (svc.healthCheckNodePort() != 0) {
                filterRules.add(rule(KUBE_NODEPORTS, "-m comment --comment \"" + svcName
                        + " health check node port\" -m tcp -p tcp --dport " + svc.healthCheckNodePort() + " -j ACCEPT"));
            }

            // Per-service chains: written only when the Service changed (or on a full render).
            boolean write = changed.test(name.service());
            List<String> chains = write ? natChains : skippedChains;
            RuleText rules = write ? natRules : skippedRules;

            if (hasInternalEndpoints) {
                String clusterIpMatch = "-m comment --comment \"" + svcName + " cluster IP\"" + protoMatch
                        + " -d " + svc.clusterIP() + " --dport " + port;
                if (config.masqueradeAll()) {
                    rules.add(rule(internalChain, clusterIpMatch + " -j " + KUBE_MARK_MASQ));
                } else if (!notLocalMatch.isEmpty()) {
                    rules.add(rule(internalChain, clusterIpMatch + " " + notLocalMatch + " -j " + KUBE_MARK_MASQ));
                }
            }
            if (usesExternalChain) {
                chains.add(externalChain);
                active.add(externalChain);
                if (!svc.externalPolicyLocal()) {
                    rules.add(rule(externalChain, "-m comment --comment \"masquerade traffic for " + svcName
                            + " external destinations\" -j " + KUBE_MARK_MASQ));
                } else {
                    if (!localMatch.isEmpty()) {
                        rules.add(rule(externalChain, "-m comment --comment \"pod traffic for " + svcName
                                + " external destinations\" " + localMatch + " -j " + clusterPolicyChain));
                    }
                    rules.add(rule(externalChain, "-m comment --comment \"masquerade LOCAL traffic for " + svcName
                            + " external destinations\" -m addrtype --src-type LOCAL -j " + KUBE_MARK_MASQ));
                    rules.add(rule(externalChain, "-m comment --comment \"route LOCAL traffic for " + svcName
                            + " external destinations\" -m addrtype --src-type LOCAL -j " + clusterPolicyChain));
                }
                if (hasExternalEndpoints) {
                    rules.add(rule(externalChain, "-j " + externalPolicyChain));
                }
            }
            if (usesFwChain) {
                chains.add(fwChain);
                active.add(fwChain);
                String head = "-m comment --comment \"" + svcName + " loadbalancer IP\"";
                boolean allowFromNode = false;
                for (String cidr : svc.loadBalancerSourceRanges()) {
                    rules.add(rule(fwChain, head + " -s " + cidr + " -j " + externalChain));
                    allowFromNode |= containsAny(cidr, node.addresses());
                }
                if (allowFromNode) {
                    for (String lbIP : svc.loadBalancerIPs()) {
                        rules.add(rule(fwChain, head + " -s " + lbIP + " -j " + externalChain));
                    }
                }
                rules.add(rule(fwChain, "-m comment --comment \"other traffic to " + svcName
                        + " will be dropped by KUBE-PROXY-FIREWALL\""));
            }
            if (usesClusterPolicyChain) {
                chains.add(clusterPolicyChain);
                active.add(clusterPolicyChain);
                writeServiceToEndpointRules(rules, name, svc, clusterPolicyChain, eps.cluster(), largeCluster);
            }
            if (usesLocalPolicyChain) {
                chains.add(localPolicyChain);
                active.add(localPolicyChain);
                writeServiceToEndpointRules(rules, name, svc, localPolicyChain, eps.local(), largeCluster);
            }
            boolean affinity = svc.sessionAffinity().clientIp();
            for (EndpointInfo endpoint : eps.allReachable()) {
                String sep = IptablesChains.servicePortEndpointChain(name, endpoint);
                chains.add(sep);
                active.add(sep);
                StringBuilder line = rules.line().append("-A ").append(sep);
                if (!largeCluster) {
                    line.append(" -m comment --comment ").append(svcName);
                }
                line.append(" -s ").append(endpoint.ip()).append(" -j ").append(KUBE_MARK_MASQ).append('\n');
                line.append("-A ").append(sep);
                if (!largeCluster) {
                    line.append(" -m comment --comment ").append(svcName);
                }
                if (affinity) {
                    line.append(" -m recent --name ").append(sep).append(" --set");
                }
                line.append(protoMatch).append(" -j DNAT --to-destination ").append(endpoint.endpoint()).append('\n');
            }
            if (!write) {
                skippedChains.clear();
                skippedRules.clear();
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
        return new IptablesRules(filterChains, filterRules, natChains, natRules.text(), active);
    }

    /**
     * The probability of the i-th of n remaining endpoints, {@code 1/n} printed with 10 decimals as
     * upstream's {@code fmt.Sprintf("%0.10f", 1.0/float64(n))}.
     */
    public static String probability(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 1)");
        }
        return n < PROBABILITIES.length ? PROBABILITIES[n] : String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    /** Upstream {@code writeServiceToEndpointRules}: affinity checks first, then the random split. */
    private static void writeServiceToEndpointRules(RuleText natRules, ServicePortName name, ServicePortInfo svc,
            String svcChain, List<EndpointInfo> endpoints, boolean largeCluster) {
        if (svc.sessionAffinity().clientIp()) {
            for (EndpointInfo endpoint : endpoints) {
                String sep = IptablesChains.servicePortEndpointChain(name, endpoint);
                StringBuilder line = natRules.line().append("-A ").append(svcChain);
                appendComment(line, name, endpoint, largeCluster);
                line.append(" -m recent --name ").append(sep).append(" --rcheck --seconds ")
                        .append(svc.sessionAffinity().timeoutSeconds()).append(" --reap -j ").append(sep).append('\n');
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            EndpointInfo endpoint = endpoints.get(i);
            StringBuilder line = natRules.line().append("-A ").append(svcChain);
            appendComment(line, name, endpoint, largeCluster);
            if (i < n - 1) {
                line.append(" -m statistic --mode random --probability ").append(probability(n - i));
            }
            line.append(" -j ").append(IptablesChains.servicePortEndpointChain(name, endpoint)).append('\n');
        }
    }

    private static int totalEndpointsHint(ProxySnapshot snapshot) {
        return snapshot.services().ports().size() + snapshot.endpoints().endpoints().size() * 10;
    }

    private static void appendComment(StringBuilder line, ServicePortName name, EndpointInfo endpoint, boolean largeCluster) {
        if (!largeCluster) {
            line.append(" -m comment --comment \"").append(name).append(" -> ").append(endpoint.endpoint()).append('"');
        }
    }

    private static boolean containsAny(String cidr, List<String> addresses) {
        IPAddress block = new IPAddressString(cidr).getAddress();
        if (block == null) {
            return false;
        }
        for (String address : addresses) {
            IPAddress ip = new IPAddressString(address).getAddress();
            if (ip != null && block.toPrefixBlock().contains(ip)) {
                return true;
            }
        }
        return false;
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
