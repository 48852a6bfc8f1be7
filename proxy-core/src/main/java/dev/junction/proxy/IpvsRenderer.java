package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What kube-proxy's ipvs mode would program for a snapshot (kubernetes pkg/proxy/ipvs/proxier.go,
 * v1.33), rendered only: this lab's kernel has no IPVS. The result is the text of
 * {@code ipvsadm-save -n}, {@code ipset save} and the addresses of the dummy interface
 * {@code kube-ipvs0}:
 * <ul>
 *   <li>a virtual server per ClusterIP, external IP, load-balancer IP and node address × NodePort
 *       ({@code -A -t VIP:PORT -s rr}, {@code -p TIMEOUT} with ClientIP affinity), real servers in
 *       masquerade mode with weight 1 ({@code -a -t VIP:PORT -r EP:PORT -m -w 1}); Local traffic
 *       policies keep only local endpoints behind the VIPs they govern;</li>
 *   <li>the ipsets its few iptables rules match: {@code KUBE-CLUSTER-IP}, {@code KUBE-LOOP-BACK},
 *       {@code KUBE-EXTERNAL-IP(-LOCAL)}, {@code KUBE-LOAD-BALANCER(-LOCAL|-FW|-SOURCE-CIDR)},
 *       {@code KUBE-NODE-PORT-TCP/UDP(-LOCAL)};</li>
 *   <li>{@code kube-ipvs0} addresses: every ClusterIP, external IP and load-balancer IP, /32.</li>
 * </ul>
 * Pure; endpoints are chosen by {@link CategorizedEndpoints}.
 */
public final class IpvsRenderer {
    private IpvsRenderer() {
    }

    /**
     * The ipvs-mode state.
     *
     * @param ipvsadm   {@code ipvsadm-save -n} lines
     * @param ipset     {@code ipset save} lines
     * @param addresses {@code ip addr add … dev kube-ipvs0} addresses
     */
    public record IpvsState(List<String> ipvsadm, List<String> ipset, List<String> addresses) {
        public IpvsState {
            ipvsadm = List.copyOf(ipvsadm);
            ipset = List.copyOf(ipset);
            addresses = List.copyOf(addresses);
        }

        /** All three as one text, sections headed by {@code # ipvsadm}, {@code # ipset}, {@code # kube-ipvs0}. */
        public String text() {
            return "# ipvsadm\n" + String.join("\n", ipvsadm) + "\n# ipset\n" + String.join("\n", ipset)
                    + "\n# kube-ipvs0\n" + String.join("\n", addresses) + "\n";
        }
    }

    private static final List<String[]> SETS = List.of(
            new String[] {"KUBE-CLUSTER-IP", "hash:ip,port"},
            new String[] {"KUBE-EXTERNAL-IP", "hash:ip,port"},
            new String[] {"KUBE-EXTERNAL-IP-LOCAL", "hash:ip,port"},
            new String[] {"KUBE-LOAD-BALANCER", "hash:ip,port"},
            new String[] {"KUBE-LOAD-BALANCER-FW", "hash:ip,port"},
            new String[] {"KUBE-LOAD-BALANCER-LOCAL", "hash:ip,port"},
            new String[] {"KUBE-LOAD-BALANCER-SOURCE-CIDR", "hash:ip,port,net"},
            new String[] {"KUBE-LOOP-BACK", "hash:ip,port,ip"},
            new String[] {"KUBE-NODE-PORT-LOCAL-TCP", "bitmap:port"},
            new String[] {"KUBE-NODE-PORT-LOCAL-UDP", "bitmap:port"},
            new String[] {"KUBE-NODE-PORT-TCP", "bitmap:port"},
            new String[] {"KUBE-NODE-PORT-UDP", "bitmap:port"});

    /**
     * @param snapshot Services and endpoints
     * @param node     its InternalIP/ExternalIP addresses carry the NodePort virtual servers
     */
    public static IpvsState render(ProxySnapshot snapshot, NodeInfo node) {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(node, "node");
        Map<String, List<String>> virtualServers = new TreeMap<>();
        Map<String, TreeSet<String>> sets = new TreeMap<>();
        SETS.forEach(s -> sets.put(s[0], new TreeSet<>()));
        TreeSet<String> addresses = new TreeSet<>();
        for (Map.Entry<ServicePortName, ServicePortInfo> e : snapshot.services().ports().entrySet()) {
            ServicePortInfo svc = e.getValue();
            if (svc.protocol() == Protocol.SCTP) {
                continue;
            }
            String p = svc.protocol().lower();
            String flag = svc.protocol() == Protocol.TCP ? "-t" : "-u";
            CategorizedEndpoints eps = CategorizedEndpoints.of(snapshot.endpoints().get(e.getKey()), svc);
            List<EndpointInfo> internal = svc.internalPolicyLocal() ? eps.local() : eps.cluster();
            List<EndpointInfo> external = svc.externalPolicyLocal() ? eps.local() : eps.cluster();
            String persistence = svc.sessionAffinity().clientIp() ? " -p " + svc.sessionAffinity().timeoutSeconds() : "";
            addVirtualServer(virtualServers, flag, svc.clusterIP() + ":" + svc.port(), persistence, internal);
            sets.get("KUBE-CLUSTER-IP").add(svc.clusterIP() + "," + p + ":" + svc.port());
            addresses.add(svc.clusterIP() + "/32");
            for (EndpointInfo ep : eps.allReachable()) {
                sets.get("KUBE-LOOP-BACK").add(ep.ip() + "," + p + ":" + ep.port() + "," + ep.ip());
            }
            for (String ip : svc.externalIPs()) {
                addVirtualServer(virtualServers, flag, ip + ":" + svc.port(), persistence, external);
                sets.get(svc.externalPolicyLocal() ? "KUBE-EXTERNAL-IP-LOCAL" : "KUBE-EXTERNAL-IP").add(ip + "," + p + ":" + svc.port());
                addresses.add(ip + "/32");
            }
            for (String ip : svc.loadBalancerIPs()) {
                addVirtualServer(virtualServers, flag, ip + ":" + svc.port(), persistence, external);
                String entry = ip + "," + p + ":" + svc.port();
                sets.get("KUBE-LOAD-BALANCER").add(entry);
                if (svc.externalPolicyLocal()) {
                    sets.get("KUBE-LOAD-BALANCER-LOCAL").add(entry);
                }
                if (!svc.loadBalancerSourceRanges().isEmpty()) {
                    sets.get("KUBE-LOAD-BALANCER-FW").add(entry);
                    for (String cidr : svc.loadBalancerSourceRanges()) {
                        sets.get("KUBE-LOAD-BALANCER-SOURCE-CIDR").add(entry + "," + cidr);
                    }
                }
                addresses.add(ip + "/32");
            }
            if (svc.nodePort() != 0) {
                String suffix = svc.protocol() == Protocol.TCP ? "TCP" : "UDP";
                sets.get("KUBE-NODE-PORT-" + suffix).add(Integer.toString(svc.nodePort()));
                if (svc.externalPolicyLocal()) {
                    sets.get("KUBE-NODE-PORT-LOCAL-" + suffix).add(Integer.toString(svc.nodePort()));
                }
                for (String nodeIP : node.addresses()) {
                    addVirtualServer(virtualServers, flag, nodeIP + ":" + svc.nodePort(), persistence, external);
                }
            }
        }
        List<String> ipvsadm = new ArrayList<>();
        virtualServers.values().forEach(ipvsadm::addAll);
        List<String> ipset = new ArrayList<>();
        for (String[] set : SETS) {
            String options = set[1].equals("bitmap:port") ? " range 0-65535" : " family inet hashsize 1024 maxelem 65536";
            ipset.add("create " + set[0] + " " + set[1] + options);
            sets.get(set[0]).forEach(entry -> ipset.add("add " + set[0] + " " + entry));
        }
        return new IpvsState(ipvsadm, ipset, new ArrayList<>(addresses));
    }

    private static void addVirtualServer(Map<String, List<String>> out, String flag, String vip, String persistence,
            List<EndpointInfo> endpoints) {
        List<String> lines = new ArrayList<>();
        lines.add("-A " + flag + " " + vip + " -s rr" + persistence);
        for (EndpointInfo ep : endpoints) {
            lines.add("-a " + flag + " " + vip + " -r " + ep.endpoint() + " -m -w 1");
        }
        out.put(flag + " " + vip, lines);
    }
}
