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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link NftablesRules#fullTransaction()}: the dump's objects, elements batched per container, last. */
class NftablesRulesTest {
    private static final ServicePortName A = new ServicePortName("ns", "a", "p", Protocol.TCP);
    private static final ServicePortName B = new ServicePortName("ns", "b", "p", Protocol.TCP);
    private static final ServicePortName C = new ServicePortName("ns", "c", "p", Protocol.UDP);

    private static NftablesRules rules() {
        ProxySnapshot snapshot = new ProxySnapshot(
                ServicePortMap.of(Map.of(A, ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP),
                        B, ServicePortInfo.clusterIP("10.96.0.2", 80, Protocol.TCP),
                        C, ServicePortInfo.clusterIP("10.96.0.3", 53, Protocol.UDP))),
                EndpointsMap.of(Map.of(A, List.of(EndpointInfo.ready("10.244.1.1", 80)),
                        B, List.of(EndpointInfo.ready("10.244.1.2", 80), EndpointInfo.ready("10.244.1.3", 80)))));
        return NftablesRenderer.render(snapshot, ProxyConfig.defaults(), NodeInfo.named("n"), List.of("10.96.0.0/12"));
    }

    @Test
    void fullTransactionBatchesElementsPerContainerAfterEveryChainAndRule() {
        NftablesRules rules = rules();
        List<String> tx = Arrays.asList(rules.fullTransaction().split("\n"));
        assertThat(tx.subList(0, 2)).containsExactly("add table ip kube-proxy", "delete table ip kube-proxy");

        List<String> elementLines = tx.stream().filter(l -> l.startsWith("add element ")).toList();
        assertThat(elementLines).containsExactly(
                "add element ip kube-proxy cluster-ips { 10.96.0.1, 10.96.0.2, 10.96.0.3 }",
                "add element ip kube-proxy no-endpoint-services { 10.96.0.3 . udp . 53 comment \"ns/c:p\" : goto reject-chain }",
                "add element ip kube-proxy service-ips { 10.96.0.1 . tcp . 80 : goto " + NftablesChains.serviceChain(A)
                        + ", 10.96.0.2 . tcp . 80 : goto " + NftablesChains.serviceChain(B) + " }");
        int firstElement = tx.indexOf(elementLines.get(0));
        assertThat(tx.subList(firstElement, tx.size())).allMatch(l -> l.startsWith("add element "));

        // Everything else is the dump, line for line and in the same order.
        List<String> dumpWithoutElements = new ArrayList<>(Arrays.asList(rules.dump().split("\n")));
        dumpWithoutElements.removeIf(l -> l.startsWith("add element "));
        assertThat(tx.subList(2, firstElement)).isEqualTo(dumpWithoutElements);
    }

    @Test
    void noElementLineForAnEmptyTable() {
        NftablesRules rules = NftablesRenderer.render(ProxySnapshot.EMPTY, ProxyConfig.defaults(), NodeInfo.named("n"), List.of());
        assertThat(rules.fullTransaction()).doesNotContain("add element");
    }

    @Test
    void removingOnePortOfAServiceKeepsItsClusterIpWhileAnotherPortRemains() {
        ServicePortName http = new ServicePortName("ns", "multi", "http", Protocol.TCP);
        ServicePortName https = new ServicePortName("ns", "multi", "https", Protocol.TCP);
        ServicePortInfo httpInfo = ServicePortInfo.clusterIP("10.96.0.9", 80, Protocol.TCP);
        ServicePortInfo httpsInfo = ServicePortInfo.clusterIP("10.96.0.9", 443, Protocol.TCP);
        List<EndpointInfo> eps = List.of(EndpointInfo.ready("10.244.1.9", 80));
        NftablesRules both = NftablesRenderer.render(new ProxySnapshot(ServicePortMap.of(Map.of(http, httpInfo, https, httpsInfo)),
                EndpointsMap.of(Map.of(http, eps, https, eps))), ProxyConfig.defaults(), NodeInfo.named("n"), List.of());
        NftablesRules one = NftablesRenderer.render(new ProxySnapshot(ServicePortMap.of(Map.of(http, httpInfo)),
                EndpointsMap.of(Map.of(http, eps))), ProxyConfig.defaults(), NodeInfo.named("n"), List.of());
        NftablesRules none = NftablesRenderer.render(ProxySnapshot.EMPTY, ProxyConfig.defaults(), NodeInfo.named("n"), List.of());

        assertThat(one.incrementalTransaction(both)).contains("delete element ip kube-proxy service-ips { 10.96.0.9 . tcp . 443 }")
                .doesNotContain("cluster-ips");
        assertThat(none.incrementalTransaction(one)).contains("delete element ip kube-proxy cluster-ips { 10.96.0.9 }");
    }
}
