package dev.junction.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.proxy.SessionAffinity;
import dev.junction.proxy.TrafficPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Golden parity with kube-proxy's {@code TestOverallNFTablesRules} (pkg/proxy/nftables/proxier_test.go,
 * the v1.33 fixture with its {@code baseRules}), compared after upstream's own normalisation
 * ({@code sortNFTablesTransaction} in helpers_test.go). The fake proxier there uses pod CIDR
 * 10.0.0.0/8, Service CIDR 172.30.0.0/16 and nodePortAddresses 192.168.0.2/32; so does this test.
 */
class NftablesRendererTest {
    static final NodeInfo NODE = new NodeInfo("test-node", Map.of(), List.of("192.168.0.2"), List.of());
    static final ProxyConfig CONFIG = ProxyConfig.defaults().withMode("nftables").withClusterCIDR(Optional.of("10.0.0.0/8"))
            .withNodePortAddresses(List.of("192.168.0.2/32"));
    static final List<String> SERVICE_CIDRS = List.of("172.30.0.0/16");

    static ServicePortName spn(String ns, String name) {
        return new ServicePortName(ns, name, "p80", Protocol.TCP);
    }

    /** The Services and endpoints of upstream's overall test. */
    static ProxySnapshot upstreamOverallSnapshot() {
        Map<ServicePortName, ServicePortInfo> services = new TreeMap<>();
        services.put(spn("ns1", "svc1"), ServicePortInfo.clusterIP("172.30.0.41", 80, Protocol.TCP));
        services.put(spn("ns2", "svc2"), ServicePortInfo.clusterIP("172.30.0.42", 80, Protocol.TCP).withNodePort(3001)
                .withExternal(List.of("192.168.99.22"), List.of("1.2.3.4"), List.of())
                .withPolicies(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER, 30000));
        services.put(spn("ns3", "svc3"), ServicePortInfo.clusterIP("172.30.0.43", 80, Protocol.TCP).withNodePort(3003));
        services.put(spn("ns4", "svc4"), ServicePortInfo.clusterIP("172.30.0.44", 80, Protocol.TCP)
                .withExternal(List.of("192.168.99.33"), List.of(), List.of()));
        services.put(spn("ns5", "svc5"), ServicePortInfo.clusterIP("172.30.0.45", 80, Protocol.TCP).withNodePort(3002)
                .withSessionAffinity(SessionAffinity.clientIp(10800))
                .withExternal(List.of(), List.of("5.6.7.8"), List.of("203.0.113.0/25")));
        services.put(spn("ns6", "svc6"), ServicePortInfo.clusterIP("172.30.0.46", 80, Protocol.TCP));
        Map<ServicePortName, List<EndpointInfo>> endpoints = new TreeMap<>();
        endpoints.put(spn("ns1", "svc1"), List.of(EndpointInfo.ready("10.180.0.1", 80)));
        endpoints.put(spn("ns2", "svc2"), List.of(EndpointInfo.ready("10.180.0.2", 80)));
        endpoints.put(spn("ns3", "svc3"), List.of(EndpointInfo.ready("10.180.0.3", 80)));
        endpoints.put(spn("ns4", "svc4"), List.of(EndpointInfo.ready("10.180.0.4", 80),
                new EndpointInfo("10.180.0.5", 80, true, true, false, Optional.of("test-node"), true)));
        endpoints.put(spn("ns5", "svc5"), List.of(EndpointInfo.ready("10.180.0.3", 80)));
        return new ProxySnapshot(ServicePortMap.of(services), EndpointsMap.of(endpoints));
    }

    static final String BASE_RULES = """
            add table ip kube-proxy { comment "rules for kube-proxy" ; }

            add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
            add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }

            add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
            add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
            add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
            add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
            add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

            add chain ip kube-proxy cluster-ips-check
            add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
            add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
            add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
            add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
            add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
            add chain ip kube-proxy firewall-check
            add chain ip kube-proxy mark-for-masquerade
            add chain ip kube-proxy masquerading
            add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
            add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
            add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
            add chain ip kube-proxy nodeport-endpoints-check
            add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
            add chain ip kube-proxy services
            add chain ip kube-proxy service-endpoints-check

            add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
            add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
            add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
            add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
            add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
            add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
            add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
            add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
            add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
            add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
            add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
            add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
            add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
            add rule ip kube-proxy masquerading mark set mark xor 0x4000
            add rule ip kube-proxy masquerading masquerade fully-random
            add rule ip kube-proxy nat-output jump services
            add rule ip kube-proxy nat-postrouting jump masquerading
            add rule ip kube-proxy nat-prerouting jump services
            add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
            add rule ip kube-proxy reject-chain reject
            add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
            add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports

            add element ip kube-proxy nodeport-ips { 192.168.0.2 }
            add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
            """;

    @Test
    void matchesUpstreamOverallRules() {
        String expected = BASE_RULES + """
                # svc1
                add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
                add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
                add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }

                add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
                add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
                add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80

                add element ip kube-proxy cluster-ips { 172.30.0.41 }
                add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }

                # svc2
                add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
                add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
                add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
                add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
                add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
                add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
                add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
                add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
                add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
                add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80

                add element ip kube-proxy cluster-ips { 172.30.0.42 }
                add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
                add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
                add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
                add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }

                add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
                add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
                add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }

                # svc3
                add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
                add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
                add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
                add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
                add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
                add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
                add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
                add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
                add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

                add element ip kube-proxy cluster-ips { 172.30.0.43 }
                add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
                add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }

                # svc4
                add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
                add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
                add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
                add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
                add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
                add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
                add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
                add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
                add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
                add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
                add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
                add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80

                add element ip kube-proxy cluster-ips { 172.30.0.44 }
                add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
                add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }

                # svc5
                add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
                add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
                add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip daddr 172.30.0.45 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
                add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
                add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
                add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
                add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 jump mark-for-masquerade
                add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80

                add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
                add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
                add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
                add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

                add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80
                add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop

                add element ip kube-proxy cluster-ips { 172.30.0.45 }
                add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
                add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
                add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
                add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }

                # svc6
                add element ip kube-proxy cluster-ips { 172.30.0.46 }
                add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
                """;
        String dump = NftablesRenderer.render(upstreamOverallSnapshot(), CONFIG, NODE, SERVICE_CIDRS).dump();
        assertThat(sortTransaction(dump)).isEqualTo(sortTransaction(expected));
    }

    @Test
    void chainNamesUseUpstreamHashes() {
        assertThat(NftablesChains.serviceChain(spn("ns1", "svc1"))).isEqualTo("service-ULMVA6XW-ns1/svc1/tcp/p80");
        assertThat(NftablesChains.endpointChain(spn("ns1", "svc1"), EndpointInfo.ready("10.180.0.1", 80)))
                .isEqualTo("endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80");
        String longName = "x".repeat(63);
        assertThat(NftablesChains.serviceBase(new ServicePortName(longName, longName, "p", Protocol.TCP)))
                .hasSize(NftablesChains.BASE_LENGTH_MAX).endsWith("...");
    }

    private static final Map<String, Integer> ORDER = Map.of("table", 10, "chain", 9, "rule", 8, "set", 7, "map", 6, "element", 5);

    /** Upstream {@code sortNFTablesTransaction}: drop blanks and comments, sort by type, then name; rules keep their order. */
    static String sortTransaction(String tx) {
        List<String> lines = new ArrayList<>(Arrays.stream(tx.split("\n")).filter(l -> !l.isEmpty() && l.charAt(0) != '#').toList());
        lines.sort(Comparator.<String>comparingInt(l -> -ORDER.getOrDefault(l.split(" ")[1], 0))
                .thenComparing(l -> l.split(" ")[1].equals("table") ? "" : l.split(" ")[4])
                .thenComparing((a, b) -> a.split(" ")[1].equals("rule") ? 0 : a.compareTo(b)));
        return String.join("\n", lines);
    }
}
