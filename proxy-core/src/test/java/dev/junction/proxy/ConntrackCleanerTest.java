package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConntrackCleanerTest {
    private static final ServicePortName DNS = new ServicePortName("kube-system", "kube-dns", "dns", Protocol.UDP);
    private static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);
    private static final ServicePortInfo DNS_INFO = ServicePortInfo.clusterIP("10.96.0.10", 53, Protocol.UDP).withNodePort(30053)
            .withExternal(List.of("192.168.99.1"), List.of(), List.of());

    private static ProxySnapshot snapshot(List<EndpointInfo> dns, List<EndpointInfo> web) {
        return new ProxySnapshot(
                ServicePortMap.of(Map.of(DNS, DNS_INFO, WEB, ServicePortInfo.clusterIP("10.96.0.20", 80, Protocol.TCP))),
                EndpointsMap.of(Map.of(DNS, dns, WEB, web)));
    }

    @Test
    void removedUdpEndpointHasItsFlowsDeletedForEveryVip() {
        ProxySnapshot before = snapshot(List.of(EndpointInfo.ready("10.244.1.5", 53), EndpointInfo.ready("10.244.2.5", 53)),
                List.of(EndpointInfo.ready("10.244.1.9", 80)));
        ProxySnapshot after = snapshot(List.of(EndpointInfo.ready("10.244.2.5", 53)), List.of());
        assertThat(ConntrackCleaner.commands(before, after)).containsExactly(
                List.of("conntrack", "-D", "--orig-dst", "10.96.0.10", "--dst-nat", "10.244.1.5", "-p", "udp"),
                List.of("conntrack", "-D", "--orig-dst", "192.168.99.1", "--dst-nat", "10.244.1.5", "-p", "udp"),
                List.of("conntrack", "-D", "-p", "udp", "--dport", "30053", "--dst-nat", "10.244.1.5"));
    }

    @Test
    void udpServiceThatGainsEndpointsHasItsRejectedFlowsDeleted() {
        ProxySnapshot before = snapshot(List.of(), List.of());
        ProxySnapshot after = snapshot(List.of(EndpointInfo.ready("10.244.1.5", 53)), List.of(EndpointInfo.ready("10.244.1.9", 80)));
        assertThat(ConntrackCleaner.commands(before, after)).containsExactly(
                List.of("conntrack", "-D", "--orig-dst", "10.96.0.10", "-p", "udp"),
                List.of("conntrack", "-D", "--orig-dst", "192.168.99.1", "-p", "udp"),
                List.of("conntrack", "-D", "-p", "udp", "--dport", "30053"));
        assertThat(ConntrackCleaner.commands(after, after)).isEmpty();
    }
}
