package dev.junction.proxy.iptables;

import static dev.junction.proxy.iptables.IptablesChains.KUBE_EXTERNAL_SERVICES;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_FORWARD;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_MARK_MASQ;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_NODEPORTS;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_POSTROUTING;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_PROXY_FIREWALL;
import static dev.junction.proxy.iptables.IptablesChains.KUBE_SERVICES;
import static java.util.Objects.requireNonNull;

import dev.junction.proxy.AsciiText;
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
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
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
 *
 * <p>The nat text is written as ASCII bytes into {@link IptablesRenderBuffers} (upstream's
 * {@code LineBuffer}s, reused across syncs by the proxier): chain names and their bytes come from
 * the snapshot's {@link ServicePortName} / {@link EndpointInfo} memos ({@link ServicePortChains},
 * {@link EndpointChain}), so a full render of an unchanged Service hashes nothing and mostly copies
 * bytes (~30 ms of CPU for 10,000 Services × 10 endpoints).
 */
public final class IptablesRenderer {
    /** Upstream {@code largeClusterEndpointsThreshold}. */
    static final int LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

    private static final String[] PROBABILITIES = new String[1025];
    private static final byte[][] PROBABILITY_BYTES = new byte[PROBABILITIES.length][];
    private static final byte[] A = AsciiText.bytes("-A ");
    private static final byte[] KUBE_SERVICES_BYTES = AsciiText.bytes(KUBE_SERVICES);
    private static final byte[] CHAIN_TAIL = AsciiText.bytes(" - [0:0]\n");
    private static final byte[] COMMENT = AsciiText.bytes(" -m comment --comment ");
    private static final byte[] COMMENT_QUOTE = AsciiText.bytes(" -m comment --comment \"");
    private static final byte[] CLUSTER_IP_QUOTE = AsciiText.bytes(" cluster IP\"");
    private static final byte[] JUMP = AsciiText.bytes(" -j ");
    private static final byte[] JUMP_MARK_MASQ = AsciiText.bytes(" -j " + KUBE_MARK_MASQ + "\n");
    private static final byte[] STATISTIC = AsciiText.bytes(" -m statistic --mode random --probability ");
    private static final byte[] RECENT_NAME = AsciiText.bytes(" -m recent --name ");
    private static final byte[] DNAT_TO = AsciiText.bytes(" -j DNAT --to-destination ");

    static {
        for (int n = 1; n < PROBABILITIES.length; n++) {
            PROBABILITIES[n] = String.format(Locale.ROOT, "%.10f", 1.0 / n);
            PROBABILITY_BYTES[n] = AsciiText.bytes(PROBABILITIES[n]);
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
        return render(snapshot, config, node, changed, new IptablesRenderBuffers());
    }

    /**
     * {@link #render(ProxySnapshot, ProxyConfig, NodeInfo, Predicate)} into {@code buffers} (kept
     * from sync to sync, as upstream reuses its {@code LineBuffer}s): the returned rules are valid
     * until the next render into the same buffers.
     */
    public static IptablesRules render(ProxySnapshot snapshot, ProxyConfig config, NodeInfo node,
            Predicate<NamespacedName> changed, IptablesRenderBuffers buffers) {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(config, "config");
        requireNonNull(node, "node");
        requireNonNull(changed, "changed");
        int generation = requireNonNull(buffers, "buffers").reset();
        List<String> filterChains = new ArrayList<>(List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD,
                KUBE_NODEPORTS, KUBE_PROXY_FIREWALL));
        List<String> filterRules = new ArrayList<>();
        SortedMap<ServicePortName, ServicePortInfo> ports = snapshot.services().ports();
        // One pass over both sorted maps (same keys, same order): no tree lookup per port.
        List<List<EndpointInfo>> endpointsByPort = endpointsByPort(ports, snapshot.endpoints().endpoints());
        int totalEndpoints = 0;
        for (List<EndpointInfo> endpoints : endpointsByPort) {
            totalEndpoints += endpoints.size();
        }
        boolean largeCluster = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;
        Out nat = new Out(buffers.natChains, buffers.natChainLines, buffers.natRules, buffers.active);
        for (String chain : List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ)) {
            nat.declare(chain, AsciiText.bytes(chain), false);
        }
        // Per-service chains of Services that did not change (partial render): counted as active, not written.
        Out skipped = new Out(buffers.skippedChains, buffers.skippedChainLines, buffers.skippedRules, buffers.active);
        AsciiText natRules = nat.rules();
        String mark = config.masqueradeMark();

        natRules.append(rule(KUBE_POSTROUTING, "-m mark ! --mark " + mark + "/" + mark + " -j RETURN")).append('\n');
        natRules.append(rule(KUBE_POSTROUTING, "-j MARK --xor-mark " + mark)).append('\n');
        natRules.append(rule(KUBE_POSTROUTING,
                "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully")).append('\n');
        natRules.append(rule(KUBE_MARK_MASQ, "-j MARK --or-mark " + mark)).append('\n');

        int portIndex = 0;
        String localMatch = config.clusterCIDR().map(c -> "-s " + c).orElse("");
        byte[] notLocalMatch = AsciiText.bytes(config.clusterCIDR().map(c -> " ! -s " + c).orElse(""));

        for (Map.Entry<ServicePortName, ServicePortInfo> entry : ports.entrySet()) {
            ServicePortName name = entry.getKey();
            ServicePortInfo svc = entry.getValue();
            ServicePortChains names = ServicePortChains.of(name);
            String proto = svc.protocol().lower();
            String svcName = names.name();
            CategorizedEndpoints eps = CategorizedEndpoints.of(endpointsByPort.get(portIndex++), svc);
            String clusterPolicyChain = names.clusterChain();
            String localPolicyChain = names.localChain();
            String externalChain = names.externalChain();
            String fwChain = names.firewallChain();
            boolean usesClusterPolicyChain = !eps.cluster().isEmpty() && svc.usesClusterEndpoints();
            boolean usesLocalPolicyChain = !eps.local().isEmpty() && svc.usesLocalEndpoints();
            boolean hasEndpoints = eps.hasAnyEndpoints();

            byte[] internalChainBytes = names.clusterBytes();
            boolean hasInternalEndpoints = hasEndpoints;
            if (svc.internalPolicyLocal()) {
                internalChainBytes = names.localBytes();
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
            byte[] protoMatch = svc.protocol() == name.protocol() ? names.protoMatch()
                    : AsciiText.bytes(" -m " + proto + " -p " + proto);
            String protoMatchText = " -m " + proto + " -p " + proto;
            String port = Integer.toString(svc.port());

            // Capture the ClusterIP.
            if (hasInternalEndpoints) {
                appendClusterIpMatch(natRules.append(A).append(KUBE_SERVICES_BYTES), names, protoMatch, svc)
                        .append(JUMP).append(internalChainBytes).append('\n');
            } else {
                filterRules.add(rule(KUBE_SERVICES, "-m comment --comment " + internalFilterComment + protoMatchText
                        + " -d " + svc.clusterIP() + " --dport " + port + " -j " + internalFilterTarget));
            }
            // Capture external IPs.
            for (String externalIP : svc.externalIPs()) {
                if (hasEndpoints) {
                    nat.add(rule(KUBE_SERVICES, "-m comment --comment \"" + svcName + " external IP\"" + protoMatchText
                            + " -d " + externalIP + " --dport " + port + " -j " + externalChain));
                }
                if (!hasExternalEndpoints) {
                    filterRules.add(rule(KUBE_EXTERNAL_SERVICES, "-m comment --comment " + externalFilterComment + protoMatchText
                            + " -d " + externalIP + " --dport " + port + " -j " + externalFilterTarget));
                }
            }
            // Capture load-balancer ingress IPs.
            for (String lbIP : svc.loadBalancerIPs()) {
                if (hasEndpoints) {
                    nat.add(rule(KUBE_SERVICES, "-m comment --comment \"" + svcName + " loadbalancer IP\"" + protoMatchText
                            + " -d " + lbIP + " --dport " + port + " -j " + loadBalancerChain));
                }
                if (usesFwChain) {
                    filterRules.add(rule(KUBE_PROXY_FIREWALL, "-m comment --comment \"" + svcName + " traffic not accepted by "
                            + fwChain + "\"" + protoMatchText + " -d " + lbIP + " --dport " + port + " -j DROP"));
                }
            }
            if (!hasExternalEndpoints) {
                for (String lbIP : svc.loadBalancerIPs()) {
                    filterRules.add(rule(KUBE_EXTERNAL_SERVICES, "-m comment --comment " + externalFilterComment + protoMatchText
                            + " -d " + lbIP + " --dport " + port + " -j " + externalFilterTarget));
                }
            }
            // Capture the NodePort (not subject to loadBalancerSourceRanges, as upstream).
            if (svc.nodePort() != 0) {
                if (hasEndpoints) {
                    nat.add(rule(KUBE_NODEPORTS, "-m comment --comment " + svcName + protoMatchText
                            + " --dport " + svc.nodePort() + " -j " + externalChain));
                }
                if (!hasExternalEndpoints) {
                    filterRules.add(rule(KUBE_EXTERNAL_SERVICES, "-m comment --comment " + externalFilterComment
                            + " -m addrtype --dst-type LOCAL" + protoMatchText + " --dport " + svc.nodePort()
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
            Out out = write ? nat : skipped;
            AsciiText rules = out.rules();

            if (hasInternalEndpoints) {
                if (config.masqueradeAll()) {
                    appendClusterIpMatch(rules.append(A).append(internalChainBytes), names, protoMatch, svc)
                            .append(JUMP_MARK_MASQ);
                } else if (notLocalMatch.length > 0) {
                    appendClusterIpMatch(rules.append(A).append(internalChainBytes), names, protoMatch, svc)
                            .append(notLocalMatch).append(JUMP_MARK_MASQ);
                }
            }
            if (usesExternalChain) {
                out.declare(externalChain, AsciiText.bytes(externalChain), true);
                if (!svc.externalPolicyLocal()) {
                    out.add(rule(externalChain, "-m comment --comment \"masquerade traffic for " + svcName
                            + " external destinations\" -j " + KUBE_MARK_MASQ));
                } else {
                    if (!localMatch.isEmpty()) {
                        out.add(rule(externalChain, "-m comment --comment \"pod traffic for " + svcName
                                + " external destinations\" " + localMatch + " -j " + clusterPolicyChain));
                    }
                    out.add(rule(externalChain, "-m comment --comment \"masquerade LOCAL traffic for " + svcName
                            + " external destinations\" -m addrtype --src-type LOCAL -j " + KUBE_MARK_MASQ));
                    out.add(rule(externalChain, "-m comment --comment \"route LOCAL traffic for " + svcName
                            + " external destinations\" -m addrtype --src-type LOCAL -j " + clusterPolicyChain));
                }
                if (hasExternalEndpoints) {
                    out.add(rule(externalChain, "-j " + externalPolicyChain));
                }
            }
            if (usesFwChain) {
                out.declare(fwChain, AsciiText.bytes(fwChain), true);
                String head = "-m comment --comment \"" + svcName + " loadbalancer IP\"";
                boolean allowFromNode = false;
                for (String cidr : svc.loadBalancerSourceRanges()) {
                    out.add(rule(fwChain, head + " -s " + cidr + " -j " + externalChain));
                    allowFromNode |= containsAny(cidr, node.addresses());
                }
                if (allowFromNode) {
                    for (String lbIP : svc.loadBalancerIPs()) {
                        out.add(rule(fwChain, head + " -s " + lbIP + " -j " + externalChain));
                    }
                }
                out.add(rule(fwChain, "-m comment --comment \"other traffic to " + svcName
                        + " will be dropped by KUBE-PROXY-FIREWALL\""));
            }
            if (usesClusterPolicyChain) {
                out.declare(clusterPolicyChain, names.clusterBytes(), true);
                writeServiceToEndpointRules(rules, name, names, svc, names.clusterBytes(), eps.cluster(), largeCluster);
            }
            if (usesLocalPolicyChain) {
                out.declare(localPolicyChain, names.localBytes(), true);
                writeServiceToEndpointRules(rules, name, names, svc, names.localBytes(), eps.local(), largeCluster);
            }
            boolean affinity = svc.sessionAffinity().clientIp();
            for (EndpointInfo endpoint : eps.allReachable()) {
                EndpointChain sep = EndpointChain.of(name, endpoint);
                out.declare(sep.name(), sep.bytes(), true);
                rules.append(A).append(sep.bytes());
                if (!largeCluster) {
                    rules.append(COMMENT).append(names.nameBytes());
                }
                rules.append(" -s ").append(endpoint.ip()).append(JUMP_MARK_MASQ);
                rules.append(A).append(sep.bytes());
                if (!largeCluster) {
                    rules.append(COMMENT).append(names.nameBytes());
                }
                if (affinity) {
                    rules.append(RECENT_NAME).append(sep.bytes()).append(" --set");
                }
                rules.append(protoMatch).append(DNAT_TO).append(endpoint.endpoint()).append('\n');
            }
            if (!write) {
                skipped.chains().clear();
                skipped.chainLines().clear();
                skipped.rules().clear();
            }
        }

        // Finally, the tail call to KUBE-NODEPORTS; it must stay the last rule of KUBE-SERVICES.
        String nodePortsComment = "-m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\"";
        if (config.nodePortAddresses().isEmpty()) {
            nat.add(rule(KUBE_SERVICES, nodePortsComment + " -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j " + KUBE_NODEPORTS));
        } else {
            for (String ip : nodePortIPs(config.nodePortAddresses(), node)) {
                nat.add(rule(KUBE_SERVICES, nodePortsComment + " -d " + ip + " -j " + KUBE_NODEPORTS));
            }
        }

        filterRules.add(rule(KUBE_FORWARD, "-m conntrack --ctstate INVALID -j DROP"));
        filterRules.add(rule(KUBE_FORWARD, "-m comment --comment \"kubernetes forwarding rules\" -m mark --mark "
                + mark + "/" + mark + " -j ACCEPT"));
        filterRules.add(rule(KUBE_FORWARD, "-m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack"
                + " --ctstate RELATED,ESTABLISHED -j ACCEPT"));
        return new IptablesRules(filterChains, filterRules, buffers, generation);
    }

    /**
     * Where one render writes nat chains: their names (in order), their {@code :NAME - [0:0]}
     * lines, the rules, and the per-service chains in use (shared by written and skipped output).
     */
    private record Out(List<String> chains, AsciiText chainLines, AsciiText rules, List<String> active) {
        void declare(String chain, byte[] chainBytes, boolean serviceChain) {
            chains.add(chain);
            chainLines.append(':').append(chainBytes).append(CHAIN_TAIL);
            if (serviceChain) {
                active.add(chain);
            }
        }

        void add(String line) {
            rules.append(line).append('\n');
        }
    }

    /** {@code -m comment --comment "ns/svc:port cluster IP" -m tcp -p tcp -d IP --dport PORT} after a chain name. */
    private static AsciiText appendClusterIpMatch(AsciiText out, ServicePortChains names, byte[] protoMatch,
            ServicePortInfo svc) {
        return out.append(COMMENT_QUOTE).append(names.nameBytes()).append(CLUSTER_IP_QUOTE).append(protoMatch)
                .append(" -d ").append(svc.clusterIP()).append(" --dport ").append(svc.port());
    }

    /** Rows of endpoints in the order of {@code ports}' keys (empty lists for ports without endpoints). */
    private static List<List<EndpointInfo>> endpointsByPort(SortedMap<ServicePortName, ServicePortInfo> ports,
            SortedMap<ServicePortName, List<EndpointInfo>> endpoints) {
        List<List<EndpointInfo>> out = new ArrayList<>(ports.size());
        Iterator<Map.Entry<ServicePortName, List<EndpointInfo>>> it = endpoints.entrySet().iterator();
        Map.Entry<ServicePortName, List<EndpointInfo>> next = it.hasNext() ? it.next() : null;
        for (ServicePortName name : ports.keySet()) {
            while (next != null && next.getKey().compareTo(name) < 0) {
                next = it.hasNext() ? it.next() : null;
            }
            out.add(next != null && next.getKey().equals(name) ? next.getValue() : List.of());
        }
        return out;
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
    private static void writeServiceToEndpointRules(AsciiText rules, ServicePortName name, ServicePortChains names,
            ServicePortInfo svc, byte[] svcChain, List<EndpointInfo> endpoints, boolean largeCluster) {
        if (svc.sessionAffinity().clientIp()) {
            for (EndpointInfo endpoint : endpoints) {
                byte[] sep = EndpointChain.of(name, endpoint).bytes();
                rules.append(A).append(svcChain);
                appendComment(rules, names, endpoint, largeCluster);
                rules.append(RECENT_NAME).append(sep).append(" --rcheck --seconds ")
                        .append(svc.sessionAffinity().timeoutSeconds()).append(" --reap -j ").append(sep).append('\n');
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            EndpointInfo endpoint = endpoints.get(i);
            rules.append(A).append(svcChain);
            appendComment(rules, names, endpoint, largeCluster);
            if (i < n - 1) {
                rules.append(STATISTIC).append(probabilityBytes(n - i));
            }
            rules.append(JUMP).append(EndpointChain.of(name, endpoint).bytes()).append('\n');
        }
    }

    private static void appendComment(AsciiText rules, ServicePortChains names, EndpointInfo endpoint, boolean largeCluster) {
        if (!largeCluster) {
            rules.append(COMMENT_QUOTE).append(names.nameBytes()).append(" -> ").append(endpoint.endpoint()).append('"');
        }
    }

    private static byte[] probabilityBytes(int n) {
        return n < PROBABILITY_BYTES.length ? PROBABILITY_BYTES[n] : AsciiText.bytes(probability(n));
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
