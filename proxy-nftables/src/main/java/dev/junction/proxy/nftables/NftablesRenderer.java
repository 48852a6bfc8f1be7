package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.CategorizedEndpoints;
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
import java.util.Map;

/**
 * Renders kube-proxy's nftables mode (kubernetes pkg/proxy/nftables/proxier.go, the design of
 * v1.31+ as in v1.33: KEP-3866) from a snapshot: a pure function. One {@code ip kube-proxy} table:
 * <ul>
 *   <li>verdict maps {@code service-ips} (ClusterIP, external IP and load-balancer IP .
 *       protocol . port) and {@code service-nodeports} (protocol . port), dispatched from chain
 *       {@code services} (hooked at nat prerouting/output, priority -100);</li>
 *   <li>per port {@code service-…} / {@code local-…} chains that mark off-cluster ClusterIP traffic
 *       for masquerade, honour ClientIP affinity ({@code ip saddr @affinity-… goto endpoint-…},
 *       sets with {@code flags dynamic,timeout}) and pick an endpoint with
 *       {@code numgen random mod N vmap}; {@code external-…} chains (masquerade for Cluster policy,
 *       pod/host short-circuits for Local policy); {@code firewall-…} chains for
 *       loadBalancerSourceRanges reached through {@code firewall-ips} before DNAT;
 *       {@code endpoint-…} chains that masquerade hairpin traffic, update affinity and DNAT;</li>
 *   <li>{@code no-endpoint-services} / {@code no-endpoint-nodeports} (reject via
 *       {@code reject-chain}, or drop when a Local policy has no local endpoint), checked in filter
 *       input/forward/output; {@code cluster-ips} + {@code cluster-ips-check} reject wrong ports of
 *       ClusterIPs and drop unallocated ones in the service CIDRs; {@code masquerading} at nat
 *       postrouting does {@code masquerade fully-random} for marked packets.</li>
 * </ul>
 * Endpoints are chosen by {@link CategorizedEndpoints} (ready, else serving-and-terminating).
 * NodePorts never open on 127.0.0.0/8.
 */
public final class NftablesRenderer {
    private static final String T = "ip " + NftablesChains.TABLE + " ";
    private static final String MASQ = "mark-for-masquerade";

    private NftablesRenderer() {
    }

    /**
     * @param snapshot     Services and endpoints
     * @param config       clusterCIDR, masqueradeAll, masqueradeBit, nodePortAddresses
     * @param node         this node (addresses for nodePortAddresses and source-range exceptions)
     * @param serviceCIDRs the Service CIDRs (unallocated ClusterIPs in them are dropped); may be empty
     */
    public static NftablesRules render(ProxySnapshot snapshot, ProxyConfig config, NodeInfo node, List<String> serviceCIDRs) {
        requireNonNull(snapshot, "snapshot");
        NftablesRules.ServiceMap services = new NftablesRules.ServiceMap();
        for (Map.Entry<ServicePortName, ServicePortInfo> e : snapshot.services().ports().entrySet()) {
            services.put(e.getKey(), renderService(e.getKey(), e.getValue(), snapshot.endpoints().get(e.getKey()), config, node));
        }
        return new NftablesRules(baseLines(config, node, serviceCIDRs), services);
    }

    /** The table, sets, maps, base chains and top-level rules: upstream {@code setupNFTables}. */
    public static List<String> baseLines(ProxyConfig config, NodeInfo node, List<String> serviceCIDRs) {
        requireNonNull(config, "config");
        requireNonNull(node, "node");
        requireNonNull(serviceCIDRs, "serviceCIDRs");
        boolean matchAll = config.nodePortAddresses().isEmpty();
        String mark = config.masqueradeMark();
        List<String> out = new ArrayList<>();
        out.add("add table " + T + "{ comment \"rules for kube-proxy\" ; }");
        out.add("add set " + T + "cluster-ips { type ipv4_addr ; comment \"Active ClusterIPs\" ; }");
        if (!matchAll) {
            out.add("add set " + T + "nodeport-ips { type ipv4_addr ; comment \"IPs that accept NodePort traffic\" ; }");
        }
        out.add("add map " + T + "firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"destinations that are subject to LoadBalancerSourceRanges\" ; }");
        out.add("add map " + T + "no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to service nodeports with no endpoints\" ; }");
        out.add("add map " + T + "no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to services with no endpoints\" ; }");
        out.add("add map " + T + "service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\" ; }");
        out.add("add map " + T + "service-nodeports { type inet_proto . inet_service : verdict ; comment \"NodePort traffic\" ; }");
        for (String chain : List.of("cluster-ips-check", "firewall-check", "mark-for-masquerade", "masquerading",
                "nodeport-endpoints-check", "services", "service-endpoints-check")) {
            out.add("add chain " + T + chain);
        }
        out.add("add chain " + T + "reject-chain { comment \"helper for @no-endpoint-services / @no-endpoint-nodeports\" ; }");
        out.add("add chain " + T + "filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }");
        out.add("add chain " + T + "filter-output-pre-dnat { type filter hook output priority -110 ; }");
        out.add("add chain " + T + "filter-forward { type filter hook forward priority 0 ; }");
        out.add("add chain " + T + "filter-input { type filter hook input priority 0 ; }");
        out.add("add chain " + T + "filter-output { type filter hook output priority 0 ; }");
        out.add("add chain " + T + "nat-output { type nat hook output priority -100 ; }");
        out.add("add chain " + T + "nat-postrouting { type nat hook postrouting priority 100 ; }");
        out.add("add chain " + T + "nat-prerouting { type nat hook prerouting priority -100 ; }");

        out.add(rule("cluster-ips-check", "ip daddr @cluster-ips reject comment \"Reject traffic to invalid ports of ClusterIPs\""));
        if (!serviceCIDRs.isEmpty()) {
            out.add(rule("cluster-ips-check", "ip daddr { " + String.join(" , ", serviceCIDRs)
                    + " } drop comment \"Drop traffic to unallocated ClusterIPs\""));
        }
        out.add(rule("filter-prerouting-pre-dnat", "ct state new jump firewall-check"));
        out.add(rule("filter-forward", "ct state new jump service-endpoints-check"));
        out.add(rule("filter-forward", "ct state new jump cluster-ips-check"));
        out.add(rule("filter-input", "ct state new jump nodeport-endpoints-check"));
        out.add(rule("filter-input", "ct state new jump service-endpoints-check"));
        out.add(rule("filter-output", "ct state new jump service-endpoints-check"));
        out.add(rule("filter-output-pre-dnat", "ct state new jump firewall-check"));
        out.add(rule("filter-output", "ct state new jump cluster-ips-check"));
        out.add(rule("firewall-check", "ip daddr . meta l4proto . th dport vmap @firewall-ips"));
        out.add(rule(MASQ, "mark set mark or " + mark));
        out.add(rule("masquerading", "mark and " + mark + " == 0 return"));
        out.add(rule("masquerading", "mark set mark xor " + mark));
        out.add(rule("masquerading", "masquerade fully-random"));
        out.add(rule("nat-output", "jump services"));
        out.add(rule("nat-postrouting", "jump masquerading"));
        out.add(rule("nat-prerouting", "jump services"));
        out.add(rule("nodeport-endpoints-check", (matchAll ? "ip daddr != 127.0.0.0/8" : "ip daddr @nodeport-ips")
                + " meta l4proto . th dport vmap @no-endpoint-nodeports"));
        out.add(rule("reject-chain", "reject"));
        out.add(rule("services", "ip daddr . meta l4proto . th dport vmap @service-ips"));
        out.add(rule("services", (matchAll ? "fib daddr type local ip daddr != 127.0.0.0/8" : "ip daddr @nodeport-ips")
                + " meta l4proto . th dport vmap @service-nodeports"));
        if (!matchAll) {
            for (String ip : nodePortIPs(config.nodePortAddresses(), node)) {
                out.add("add element " + T + "nodeport-ips { " + ip + " }");
            }
        }
        out.add(rule("service-endpoints-check", "ip daddr . meta l4proto . th dport vmap @no-endpoint-services"));
        return out;
    }

    /** Everything one Service port adds to the table (pure; the unit of incremental updates). */
    public static NftServiceRules renderService(ServicePortName name, ServicePortInfo svc, List<EndpointInfo> allEndpoints,
            ProxyConfig config, NodeInfo node) {
        String proto = svc.protocol().lower();
        String port = Integer.toString(svc.port());
        NftPortFragments names = NftPortFragments.of(name);
        String svcName = names.displayName();
        CategorizedEndpoints eps = CategorizedEndpoints.of(allEndpoints, svc);
        String clusterChain = names.clusterChain();
        String localChain = names.localChain();
        String externalChain = names.externalChain();
        String fwChain = names.firewallChain();
        boolean hasEndpoints = eps.hasAnyEndpoints();
        boolean usesClusterPolicyChain = !eps.cluster().isEmpty() && svc.usesClusterEndpoints();
        boolean usesLocalPolicyChain = !eps.local().isEmpty() && svc.usesLocalEndpoints();
        String internalChain = clusterChain;
        boolean hasInternal = hasEndpoints;
        if (svc.internalPolicyLocal()) {
            internalChain = localChain;
            hasInternal = hasInternal && !eps.local().isEmpty();
        }
        String externalPolicyChain = clusterChain;
        boolean hasExternal = hasEndpoints;
        if (svc.externalPolicyLocal()) {
            externalPolicyChain = localChain;
            hasExternal = hasExternal && !eps.local().isEmpty();
        }
        boolean usesExternalChain = hasEndpoints && svc.externallyAccessible();
        boolean usesFwChain = hasEndpoints && !svc.loadBalancerIPs().isEmpty() && !svc.loadBalancerSourceRanges().isEmpty();
        String internalVerdict = !hasEndpoints ? "goto reject-chain" : "drop";
        String externalVerdict = internalVerdict;

        // Chains in creation order: endpoints, cluster, local, external, firewall (rules reference
        // only chains declared before them in the transaction; all chains are declared first).
        List<EndpointInfo> reachable = eps.allReachable();
        ServiceChains chains = new ServiceChains(
                usesClusterPolicyChain ? clusterChain : null, usesLocalPolicyChain ? localChain : null,
                usesExternalChain ? externalChain : null, usesFwChain ? fwChain : null);

        List<NftElement> elements = new ArrayList<>();
        elements.add(NftElement.of("cluster-ips", svc.clusterIP()));
        if (hasInternal) {
            elements.add(NftElement.mapping("service-ips", names.gotoVerdict(internalChain), svc.clusterIP(), proto, port));
        } else {
            elements.add(NftElement.mapping("no-endpoint-services", internalVerdict, svc.clusterIP(), proto, port)
                    .withComment(svcName));
        }
        for (String ip : svc.externalIPs()) {
            if (hasEndpoints) {
                elements.add(NftElement.mapping("service-ips", names.gotoVerdict(externalChain), ip, proto, port));
            }
            if (!hasExternal) {
                elements.add(NftElement.mapping("no-endpoint-services", externalVerdict, ip, proto, port).withComment(svcName));
            }
        }
        for (String ip : svc.loadBalancerIPs()) {
            if (hasEndpoints) {
                elements.add(NftElement.mapping("service-ips", names.gotoVerdict(externalChain), ip, proto, port));
            }
            if (usesFwChain) {
                elements.add(NftElement.mapping("firewall-ips", names.gotoVerdict(fwChain), ip, proto, port));
            }
        }
        if (!hasExternal) {
            for (String ip : svc.loadBalancerIPs()) {
                elements.add(NftElement.mapping("no-endpoint-services", externalVerdict, ip, proto, port).withComment(svcName));
            }
        }
        if (svc.nodePort() != 0) {
            String nodePort = Integer.toString(svc.nodePort());
            if (hasEndpoints) {
                elements.add(NftElement.mapping("service-nodeports", names.gotoVerdict(externalChain), proto, nodePort));
            }
            if (!hasExternal) {
                elements.add(NftElement.mapping("no-endpoint-nodeports", externalVerdict, proto, nodePort).withComment(svcName));
            }
        }

        if (hasInternal) {
            if (config.masqueradeAll()) {
                chains.rules(internalChain).add("ip daddr " + svc.clusterIP() + " jump " + MASQ);
            } else if (config.clusterCIDR().isPresent()) {
                chains.rules(internalChain).add("ip daddr " + svc.clusterIP() + " ip saddr != " + config.clusterCIDR().get()
                        + " jump " + MASQ);
            }
        }
        if (usesExternalChain) {
            List<String> ext = chains.rules(externalChain);
            if (!svc.externalPolicyLocal()) {
                ext.add("jump " + MASQ);
            } else {
                config.clusterCIDR().ifPresent(cidr ->
                        ext.add("ip saddr " + cidr + " goto " + clusterChain + " comment \"short-circuit pod traffic\""));
                ext.add("fib saddr type local jump " + MASQ + " comment \"masquerade local traffic\"");
                ext.add("fib saddr type local goto " + clusterChain + " comment \"short-circuit local traffic\"");
            }
            if (hasExternal) {
                ext.add(names.gotoVerdict(externalPolicyChain));
            }
        }
        if (usesFwChain) {
            List<String> sources = new ArrayList<>(svc.loadBalancerSourceRanges());
            boolean allowFromNode = svc.loadBalancerSourceRanges().stream().anyMatch(c -> containsAny(c, node.addresses()));
            if (allowFromNode) {
                sources.addAll(svc.loadBalancerIPs());
            }
            chains.rules(fwChain).add("ip saddr != { " + String.join(" , ", sources) + " } drop");
        }
        boolean affinity = svc.sessionAffinity().clientIp();
        List<String> affinitySets = List.of();
        if (affinity) {
            affinitySets = new ArrayList<>(reachable.size());
            for (EndpointInfo ep : reachable) {
                affinitySets.add("add set " + T + fragments(name, ep, proto).affinitySet()
                        + " { type ipv4_addr ; flags dynamic,timeout ; timeout " + svc.sessionAffinity().timeoutSeconds() + "s ; }");
            }
        }
        if (usesClusterPolicyChain) {
            writeServiceToEndpointRules(chains.rules(clusterChain), name, proto, affinity, eps.cluster());
        }
        if (usesLocalPolicyChain) {
            writeServiceToEndpointRules(chains.rules(localChain), name, proto, affinity, eps.local());
        }
        List<NftChain> chainList = new ArrayList<>(reachable.size() + 4);
        for (EndpointInfo ep : reachable) {
            NftEndpointFragments f = fragments(name, ep, proto);
            chainList.add(affinity ? f.affinityChain() : f.plainChain());
        }
        chains.addTo(chainList);
        return new NftServiceRules(affinitySets, chainList, elements);
    }

    /** The endpoint's cached fragments (computed afresh if the port's protocol differs from its name's). */
    private static NftEndpointFragments fragments(ServicePortName name, EndpointInfo ep, String proto) {
        return name.protocol().lower().equals(proto)
                ? NftEndpointFragments.of(name, ep)
                : NftEndpointFragments.compute(name, ep, proto);
    }

    private static void writeServiceToEndpointRules(List<String> rules, ServicePortName name, String proto,
            boolean affinity, List<EndpointInfo> endpoints) {
        if (affinity) {
            for (EndpointInfo ep : endpoints) {
                NftEndpointFragments f = fragments(name, ep, proto);
                rules.add("ip saddr @" + f.affinitySet() + " goto " + f.chain());
            }
        }
        // String.join sizes its result first and copies each part once (a StringBuilder's toString copies it all again).
        List<String> parts = new ArrayList<>(4 * endpoints.size() + 2);
        parts.add("numgen random mod " + endpoints.size() + " vmap { ");
        for (int i = 0; i < endpoints.size(); i++) {
            parts.add(i == 0 ? "" : " , ");
            parts.add(index(i));
            parts.add(" : goto ");
            parts.add(fragments(name, endpoints.get(i), proto).chain());
        }
        parts.add(" }");
        rules.add(String.join("", parts));
    }

    /**
     * The per-port chains after the endpoint chains, in creation order (cluster, local, external,
     * firewall); a null name means the chain is not used. Rules are added by name.
     */
    private static final class ServiceChains {
        private final String[] names;
        private final List<String>[] rules;

        @SuppressWarnings("unchecked")
        ServiceChains(String cluster, String local, String external, String firewall) {
            names = new String[] {cluster, local, external, firewall};
            rules = new List[names.length];
            for (int i = 0; i < names.length; i++) {
                if (names[i] != null) {
                    rules[i] = new ArrayList<>(2);
                }
            }
        }

        /** The rules of used chain {@code name}. @throws NullPointerException when it is not used */
        List<String> rules(String name) {
            for (int i = 0; i < names.length; i++) {
                if (name.equals(names[i])) {
                    return rules[i];
                }
            }
            throw new NullPointerException("chain not used: " + name);
        }

        void addTo(List<NftChain> out) {
            for (int i = 0; i < names.length; i++) {
                if (names[i] != null) {
                    out.add(new NftChain(names[i], rules[i]));
                }
            }
        }
    }

    private static final String[] INDEXES = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"};

    private static String index(int i) {
        return i < INDEXES.length ? INDEXES[i] : Integer.toString(i);
    }

    private static String rule(String chain, String body) {
        return "add rule " + T + chain + " " + body;
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
            if (ip == null || !ip.isIPv4() || ip.isLoopback()) {
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
}
