package dev.junction.proxy.iptables;

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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Golden tests. {@link #matchesUpstreamOverallRules()} reproduces every Service and endpoint of kube-proxy v1.33's
 * {@code TestOverallIPTablesRules} (pkg/proxy/iptables/proxier_test.go) and compares with its
 * expected text, normalised the same way upstream's {@code assertIPTablesRulesEqual} sorts it.
 * Differences from that test's fake proxier, all deliberate: no localhost NodePorts (so no
 * {@code -d 127.0.0.0/8 … nfacct} rules, no KUBE-FIREWALL chain and {@code ! -d 127.0.0.0/8} on the
 * nodeports tail rule), no nfacct, and {@code --random-fully}.
 */
class IptablesRendererTest {
    private static final ProxyConfig CONFIG = ProxyConfig.defaults().withClusterCIDR(Optional.of("10.0.0.0/8"));
    private static final NodeInfo NODE = NodeInfo.named("test-node");

    private static ServicePortName spn(String ns, String name) {
        return new ServicePortName(ns, name, "p80", Protocol.TCP);
    }

    /** The Services and endpoints of upstream's {@code TestOverallIPTablesRules}. */
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
                .withExternal(List.of(), List.of("5.6.7.8"), List.of("203.0.113.0/25"))
                // healthCheckNodePort 30000 is set in the API but ignored: it only counts for Local policy.
                .withPolicies(TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER, 0));
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

    /**
     * Upstream's expected text for {@code TestOverallIPTablesRules} (v1.33) with the documented
     * differences applied: no {@code KUBE-FIREWALL} chain and no localhost NodePort rules (Junction
     * never enables {@code route_localnet}, so the nodeports tail rule carries {@code ! -d 127.0.0.0/8}),
     * no {@code nfacct} match, and {@code MASQUERADE --random-fully}.
     */
    @Test
    void matchesUpstreamOverallRules() {
        String expected = """
                *filter
                :KUBE-NODEPORTS - [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-EXTERNAL-SERVICES - [0:0]
                :KUBE-FORWARD - [0:0]
                :KUBE-PROXY-FIREWALL - [0:0]
                -A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
                -A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
                -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
                -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
                -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
                -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
                -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
                -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                -A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
                COMMIT
                *nat
                :KUBE-NODEPORTS - [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
                :KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
                :KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]
                :KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
                :KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-POSTROUTING - [0:0]
                :KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
                :KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
                :KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
                :KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
                :KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
                :KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
                :KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
                :KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
                :KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
                :KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
                :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
                -A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
                -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
                -A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
                -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
                -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
                -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
                -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
                -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
                -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
                -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK
                -A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
                -A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
                -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
                -A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
                -A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
                -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
                -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
                -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
                -A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
                -A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
                -A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
                -A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
                -A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
                -A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
                -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
                -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
                -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
                -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
                -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
                -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
                -A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
                -A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
                -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
                -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
                -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
                -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
                -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
                -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
                -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
                -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
                -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
                -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
                -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
                -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
                -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
                -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
                -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
                -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
                COMMIT
                """;
        String rendered = IptablesRenderer.render(upstreamOverallSnapshot(), CONFIG, NODE).restoreInput();
        assertThat(normalise(rendered)).isEqualTo(expected);
    }

    @Test
    void clusterIpWithOneEndpointInKubeProxyOrder() {
        ProxySnapshot snapshot = snapshot(ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP),
                List.of(EndpointInfo.ready("10.244.1.2", 8080)));
        assertThat(IptablesRenderer.render(snapshot, ProxyConfig.defaults(), NODE).restoreInput()).isEqualTo("""
                *filter
                :KUBE-SERVICES - [0:0]
                :KUBE-EXTERNAL-SERVICES - [0:0]
                :KUBE-FORWARD - [0:0]
                :KUBE-NODEPORTS - [0:0]
                :KUBE-PROXY-FIREWALL - [0:0]
                -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
                -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
                -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                COMMIT
                *nat
                :KUBE-SERVICES - [0:0]
                :KUBE-NODEPORTS - [0:0]
                :KUBE-POSTROUTING - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
                :KUBE-SEP-HJ4XRC6RYIVW74AV - [0:0]
                -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
                -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
                -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
                -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
                -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.96.100.1 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
                -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.96.100.1 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
                -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.244.1.2:8080" -j KUBE-SEP-HJ4XRC6RYIVW74AV
                -A KUBE-SEP-HJ4XRC6RYIVW74AV -m comment --comment ns1/svc1:p80 -s 10.244.1.2 -j KUBE-MARK-MASQ
                -A KUBE-SEP-HJ4XRC6RYIVW74AV -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:8080
                -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS
                COMMIT
                """);
    }

    @Test
    void threeEndpointsSplitOneThirdThenOneHalf() {
        ProxySnapshot snapshot = snapshot(ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP), List.of(
                EndpointInfo.ready("10.244.1.2", 80), EndpointInfo.ready("10.244.1.3", 80), EndpointInfo.ready("10.244.2.2", 80)));
        List<String> svcRules = IptablesRenderer.render(snapshot, ProxyConfig.defaults(), NODE).natRules().stream()
                .filter(r -> r.startsWith("-A KUBE-SVC-") && r.contains(" -> ")).toList();
        assertThat(svcRules).hasSize(3);
        assertThat(svcRules.get(0)).contains("\"ns1/svc1:p80 -> 10.244.1.2:80\" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-");
        assertThat(svcRules.get(1)).contains("\"ns1/svc1:p80 -> 10.244.1.3:80\" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-");
        assertThat(svcRules.get(2)).contains("\"ns1/svc1:p80 -> 10.244.2.2:80\" -j KUBE-SEP-").doesNotContain("statistic");
    }

    @Test
    void notReadyEndpointsGetNoTraffic() {
        ProxySnapshot snapshot = snapshot(ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP), List.of(
                new EndpointInfo("10.244.1.2", 80, false, false, true, Optional.empty(), false)));
        IptablesRules rules = IptablesRenderer.render(snapshot, ProxyConfig.defaults(), NODE);
        assertThat(rules.filterRules()).contains("-A KUBE-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\""
                + " -m tcp -p tcp -d 10.96.100.1 --dport 80 -j REJECT");
        assertThat(rules.activeServiceChains()).isEmpty();
    }

    @Test
    void nodePortWithoutEndpointsIsRejectedInExternalServices() {
        ProxySnapshot snapshot = snapshot(ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.UDP).withNodePort(30080), List.of());
        IptablesRules rules = IptablesRenderer.render(snapshot, ProxyConfig.defaults(), NODE);
        assertThat(rules.filterRules()).contains("-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\""
                + " -m addrtype --dst-type LOCAL -m udp -p udp --dport 30080 -j REJECT");
        assertThat(rules.natRules()).noneMatch(r -> r.startsWith("-A KUBE-NODEPORTS"));
    }

    @Test
    void healthCheckNodePortIsAccepted() {
        ServicePortInfo lb = new ServicePortInfo("172.30.0.42", 80, Protocol.TCP, 3001, SessionAffinity.NONE, List.of(),
                List.of(), List.of(), dev.junction.proxy.TrafficPolicy.CLUSTER, dev.junction.proxy.TrafficPolicy.CLUSTER, 30000);
        ServicePortName name = spn("ns2", "svc2");
        ProxySnapshot snapshot = new ProxySnapshot(ServicePortMap.of(Map.of(name, lb)), EndpointsMap.EMPTY);
        assertThat(IptablesRenderer.render(snapshot, CONFIG, NODE).filterRules()).contains(
                "-A KUBE-NODEPORTS -m comment --comment \"ns2/svc2:p80 health check node port\" -m tcp -p tcp --dport 30000 -j ACCEPT");
    }

    @Test
    void masqueradeAllAndNoClusterCidr() {
        ProxySnapshot snapshot = snapshot(ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP),
                List.of(EndpointInfo.ready("10.244.1.2", 80)));
        assertThat(IptablesRenderer.render(snapshot, ProxyConfig.defaults().withMasqueradeAll(true), NODE).natRules())
                .contains("-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp"
                        + " -d 10.96.100.1 --dport 80 -j KUBE-MARK-MASQ");
        assertThat(IptablesRenderer.render(snapshot, ProxyConfig.defaults().withClusterCIDR(Optional.empty()), NODE).natRules())
                .noneMatch(r -> r.startsWith("-A KUBE-SVC-") && r.endsWith("KUBE-MARK-MASQ"));
    }

    @Test
    void staleChainsAreFlushedAndDeleted() {
        String input = IptablesRenderer.render(ProxySnapshot.EMPTY, ProxyConfig.defaults(), NODE)
                .restoreInput(List.of("KUBE-SVC-XPGD46QRK7WJZT7O"));
        assertThat(input).contains(":KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]\n").endsWith("-X KUBE-SVC-XPGD46QRK7WJZT7O\nCOMMIT\n");
    }

    @Test
    void probabilityHasTenDecimals() {
        assertThat(IptablesRenderer.probability(1)).isEqualTo("1.0000000000");
        assertThat(IptablesRenderer.probability(3)).isEqualTo("0.3333333333");
        assertThat(IptablesRenderer.probability(7)).isEqualTo("0.1428571429");
    }

    private static ProxySnapshot snapshot(ServicePortInfo info, List<EndpointInfo> endpoints) {
        ServicePortName name = new ServicePortName("ns1", "svc1", "p80", info.protocol());
        return new ProxySnapshot(ServicePortMap.of(Map.of(name, info)),
                endpoints.isEmpty() ? EndpointsMap.EMPTY : EndpointsMap.of(Map.of(name, endpoints)));
    }

    /**
     * Upstream's test normalisation: per table, chain declarations sorted with KUBE-NODEPORTS and
     * KUBE-SERVICES first and the rest by name; rules grouped by chain in that order, keeping their
     * relative order within a chain.
     */
    static String normalise(String restoreInput) {
        StringBuilder out = new StringBuilder();
        List<String> chains = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        for (String line : restoreInput.split("\n")) {
            if (line.startsWith("*")) {
                out.append(line).append('\n');
            } else if (line.startsWith(":")) {
                chains.add(line);
            } else if (line.startsWith("-")) {
                rules.add(line);
            } else if (line.equals("COMMIT")) {
                Comparator<String> byChain = Comparator.comparing(IptablesRendererTest::chainRank);
                chains.sort(Comparator.comparing((String c) -> chainRank(c.substring(1).split(" ")[0])));
                rules.sort(Comparator.comparing((String r) -> r.split(" ")[1], byChain));
                chains.forEach(c -> out.append(c).append('\n'));
                rules.forEach(r -> out.append(r).append('\n'));
                out.append("COMMIT\n");
                chains.clear();
                rules.clear();
            }
        }
        return out.toString();
    }

    private static String chainRank(String chain) {
        return switch (chain) {
            case "KUBE-NODEPORTS" -> "0";
            case "KUBE-SERVICES" -> "1";
            default -> "2" + chain;
        };
    }
}
