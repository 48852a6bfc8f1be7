package dev.junction.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.proxy.TraceResult;
import dev.junction.proxy.TracedPacket;
import dev.junction.proxy.TrafficPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Behaviour of the rendered table, table-driven like upstream's {@code runPacketFlowTests}
 * (pkg/proxy/nftables/proxier_test.go): pod IPs 10.0.0.0/8, node 192.168.0.2, other hosts
 * 192.168.0.3 and 203.0.113.7 (inside the source range 203.0.113.0/25).
 */
class NftablesTracerTest {
    static final String NODE_IP = "192.168.0.2";

    static Stream<Arguments> overall() {
        return Stream.of(
                Arguments.of("pod to ClusterIP", TracedPacket.tcp("10.0.0.2", "172.30.0.41", 80), "10.180.0.1:80", false),
                Arguments.of("external to ClusterIP is masqueraded", TracedPacket.tcp("192.168.0.3", "172.30.0.41", 80), "10.180.0.1:80", true),
                Arguments.of("node to ClusterIP is masqueraded", TracedPacket.tcp(NODE_IP, "172.30.0.41", 80).fromNode(), "10.180.0.1:80", true),
                Arguments.of("ClusterIP with two endpoints", TracedPacket.tcp("10.0.0.2", "172.30.0.44", 80), "10.180.0.4:80,10.180.0.5:80", false),
                Arguments.of("no endpoints is rejected", TracedPacket.tcp("10.0.0.2", "172.30.0.46", 80), "REJECT", false),
                Arguments.of("no endpoints from the node is rejected", TracedPacket.tcp(NODE_IP, "172.30.0.46", 80).fromNode(), "REJECT", false),
                Arguments.of("wrong port of a ClusterIP is rejected", TracedPacket.tcp("10.0.0.2", "172.30.0.41", 81), "REJECT", false),
                Arguments.of("unallocated ClusterIP is dropped", TracedPacket.tcp("10.0.0.2", "172.30.0.99", 80), "DROP", false),
                Arguments.of("ETP Local, no local endpoints: external IP from outside is dropped", TracedPacket.tcp("192.168.0.3", "192.168.99.22", 80), "DROP", false),
                Arguments.of("ETP Local: external IP from a pod short-circuits", TracedPacket.tcp("10.0.0.2", "192.168.99.22", 80), "10.180.0.2:80", false),
                Arguments.of("ETP Local: LB IP from the node is masqueraded", TracedPacket.tcp(NODE_IP, "1.2.3.4", 80).fromNode(), "10.180.0.2:80", true),
                Arguments.of("ETP Local, no local endpoints: NodePort from outside is dropped", TracedPacket.tcp("192.168.0.3", NODE_IP, 3001), "DROP", false),
                Arguments.of("ETP Local, no local endpoints: LB IP from outside is dropped", TracedPacket.tcp("192.168.0.3", "1.2.3.4", 80), "DROP", false),
                Arguments.of("NodePort from outside", TracedPacket.tcp("192.168.0.3", NODE_IP, 3003), "10.180.0.3:80", true),
                Arguments.of("NodePort from the node", TracedPacket.tcp(NODE_IP, NODE_IP, 3003).fromNode(), "10.180.0.3:80", true),
                Arguments.of("external IP", TracedPacket.tcp("192.168.0.3", "192.168.99.33", 80), "10.180.0.4:80,10.180.0.5:80", true),
                Arguments.of("LB IP from an allowed source range", TracedPacket.tcp("203.0.113.7", "5.6.7.8", 80), "10.180.0.3:80", true),
                Arguments.of("LB IP from outside the source ranges is dropped", TracedPacket.tcp("192.168.0.3", "5.6.7.8", 80), "DROP", false),
                Arguments.of("NodePort ignores source ranges", TracedPacket.tcp("192.168.0.3", NODE_IP, 3002), "10.180.0.3:80", true),
                Arguments.of("hairpin: endpoint to its own Service is masqueraded", TracedPacket.tcp("10.180.0.1", "172.30.0.41", 80), "10.180.0.1:80", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overall")
    void upstreamOverallServices(String name, TracedPacket packet, String output, boolean masquerade) {
        String dump = NftablesRenderer.render(NftablesRendererTest.upstreamOverallSnapshot(), NftablesRendererTest.CONFIG,
                NftablesRendererTest.NODE, NftablesRendererTest.SERVICE_CIDRS).dump();
        TraceResult result = new NftablesTracer(dump, List.of(NODE_IP)).trace(packet);
        assertThat(result.output()).as("%s via %s", name, result.chains()).isEqualTo(output);
        assertThat(result.masquerade()).as(name).isEqualTo(masquerade);
    }

    static final ServicePortName SVC = new ServicePortName("ns1", "svc1", "p80", Protocol.TCP);
    static final EndpointInfo LOCAL_EP = new EndpointInfo("10.0.1.1", 80, true, true, false, Optional.of("test-node"), true);
    static final EndpointInfo REMOTE_EP = new EndpointInfo("10.0.2.1", 80, true, true, false, Optional.of("other"), false);
    static final EndpointInfo REMOTE_TERMINATING = new EndpointInfo("10.0.2.2", 80, false, true, true, Optional.of("other"), false);
    static final EndpointInfo LOCAL_TERMINATING = new EndpointInfo("10.0.1.2", 80, false, true, true, Optional.of("test-node"), true);
    static final EndpointInfo NOT_SERVING = new EndpointInfo("10.0.2.3", 80, false, false, true, Optional.of("other"), false);

    static Stream<Arguments> policies() {
        ServicePortInfo lb = ServicePortInfo.clusterIP("172.30.1.1", 80, Protocol.TCP).withNodePort(3001)
                .withExternal(List.of(), List.of("1.2.3.4"), List.of());
        ServicePortInfo etpLocal = lb.withPolicies(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER, 30000);
        ServicePortInfo itpLocal = ServicePortInfo.clusterIP("172.30.1.1", 80, Protocol.TCP)
                .withPolicies(TrafficPolicy.CLUSTER, TrafficPolicy.LOCAL, 0);
        ServicePortInfo udp = ServicePortInfo.clusterIP("172.30.1.2", 53, Protocol.UDP);
        TracedPacket podToClusterIP = TracedPacket.tcp("10.0.0.2", "172.30.1.1", 80);
        TracedPacket outsideToLB = TracedPacket.tcp("192.168.0.3", "1.2.3.4", 80);
        TracedPacket outsideToNodePort = TracedPacket.tcp("192.168.0.3", NODE_IP, 3001);
        return Stream.of(
                Arguments.of("ETP Local keeps the client address", etpLocal, List.of(LOCAL_EP, REMOTE_EP), outsideToLB, "10.0.1.1:80", false),
                Arguments.of("ETP Local NodePort keeps the client address", etpLocal, List.of(LOCAL_EP, REMOTE_EP), outsideToNodePort, "10.0.1.1:80", false),
                Arguments.of("ETP Local ClusterIP still uses every endpoint", etpLocal, List.of(LOCAL_EP, REMOTE_EP), podToClusterIP, "10.0.1.1:80,10.0.2.1:80", false),
                Arguments.of("ETP Cluster masquerades to any endpoint", lb, List.of(LOCAL_EP, REMOTE_EP), outsideToLB, "10.0.1.1:80,10.0.2.1:80", true),
                Arguments.of("ITP Local uses local endpoints only", itpLocal, List.of(LOCAL_EP, REMOTE_EP), podToClusterIP, "10.0.1.1:80", false),
                Arguments.of("ITP Local without local endpoints drops", itpLocal, List.of(REMOTE_EP), podToClusterIP, "DROP", false),
                Arguments.of("terminating endpoints are not used while one is ready", lb, List.of(REMOTE_EP, REMOTE_TERMINATING), podToClusterIP, "10.0.2.1:80", false),
                Arguments.of("serving terminating endpoints are the fallback", lb, List.of(REMOTE_TERMINATING, NOT_SERVING), podToClusterIP, "10.0.2.2:80", false),
                Arguments.of("only non-serving endpoints: rejected", lb, List.of(NOT_SERVING), podToClusterIP, "REJECT", false),
                Arguments.of("only non-serving endpoints: LB IP rejected", lb, List.of(NOT_SERVING), outsideToLB, "REJECT", false),
                Arguments.of("only non-serving endpoints: NodePort rejected", lb, List.of(NOT_SERVING), outsideToNodePort, "REJECT", false),
                Arguments.of("ETP Local falls back to a local terminating endpoint", etpLocal, List.of(LOCAL_TERMINATING, REMOTE_EP), outsideToLB, "10.0.1.2:80", false),
                Arguments.of("ETP Local with only remote endpoints drops external traffic", etpLocal, List.of(REMOTE_EP), outsideToLB, "DROP", false),
                Arguments.of("UDP ClusterIP", udp, List.of(new EndpointInfo("10.0.2.9", 53, true, true, false, Optional.empty(), false)),
                        new TracedPacket("10.0.0.2", "172.30.1.2", 53, Protocol.UDP, TracedPacket.Ingress.OUTSIDE), "10.0.2.9:53", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void trafficPoliciesAndTerminatingEndpoints(String name, ServicePortInfo svc, List<EndpointInfo> endpoints,
            TracedPacket packet, String output, boolean masquerade) {
        ServicePortName key = svc.protocol() == Protocol.UDP ? new ServicePortName("ns1", "dns", "dns", Protocol.UDP) : SVC;
        ProxySnapshot snapshot = new ProxySnapshot(ServicePortMap.of(Map.of(key, svc)), EndpointsMap.of(Map.of(key, endpoints)));
        String dump = NftablesRenderer.render(snapshot, NftablesRendererTest.CONFIG, NftablesRendererTest.NODE,
                NftablesRendererTest.SERVICE_CIDRS).dump();
        TraceResult result = new NftablesTracer(dump, List.of(NODE_IP)).trace(packet);
        assertThat(result.output()).as("%s via %s", name, result.chains()).isEqualTo(output);
        assertThat(result.masquerade()).as(name).isEqualTo(masquerade);
    }
}
