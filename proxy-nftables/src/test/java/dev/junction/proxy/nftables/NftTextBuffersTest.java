package dev.junction.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Byte renders into reused {@link NftTextBuffers}, the per-endpoint fragment cache, and byte stdin
 * through the system {@link CommandRunner}.
 */
class NftTextBuffersTest {
    private static final ServicePortName A = new ServicePortName("ns", "a", "p", Protocol.TCP);
    private static final ServicePortName B = new ServicePortName("ns", "b", "p", Protocol.UDP);

    private static NftablesRules render(Map<ServicePortName, ServicePortInfo> ports,
            Map<ServicePortName, List<EndpointInfo>> endpoints) {
        return NftablesRenderer.render(new ProxySnapshot(ServicePortMap.of(ports), EndpointsMap.of(endpoints)),
                ProxyConfig.defaults(), NodeInfo.named("n"), List.of("10.96.0.0/12"));
    }

    @Test
    void reusedBuffersHoldOnlyTheLatestTextAndNoStaleElementLists() {
        NftablesRules big = render(
                Map.of(A, ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP),
                        B, ServicePortInfo.clusterIP("10.96.0.2", 53, Protocol.UDP)),
                Map.of(A, List.of(EndpointInfo.ready("10.244.1.1", 80), EndpointInfo.ready("10.244.1.2", 80))));
        NftablesRules small = render(Map.of(A, ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP)),
                Map.of(A, List.of(EndpointInfo.ready("10.244.1.1", 80))));
        NftTextBuffers buffers = new NftTextBuffers();

        byte[] first = big.fullTransactionBytes(buffers);
        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(big.fullTransaction())
                .contains("add element ip kube-proxy no-endpoint-services {");
        long capacity = buffers.capacityBytes();

        // The second text is smaller and has no no-endpoint-services element: nothing of the first remains.
        byte[] second = small.fullTransactionBytes(buffers);
        assertThat(new String(second, StandardCharsets.UTF_8)).isEqualTo(small.fullTransaction())
                .doesNotContain("add element ip kube-proxy no-endpoint-services {").doesNotContain("10.244.1.2");
        assertThat(second).hasSizeLessThan(first.length);
        assertThat(buffers.lastText()).isEqualTo(small.fullTransaction());
        assertThat(buffers.capacityBytes()).isEqualTo(capacity);

        assertThat(new String(big.dumpBytes(buffers), StandardCharsets.UTF_8)).isEqualTo(big.dump());
        assertThat(big.dumpBytes()).isEqualTo(big.dumpBytes(buffers));
    }

    @Test
    void endpointChainsComeFromTheEndpointsCacheUnlessAffinityAddsARule() {
        EndpointInfo ep = EndpointInfo.ready("10.244.1.1", 8080);
        ServicePortInfo svc = ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP);
        NftServiceRules one = NftablesRenderer.renderService(A, svc, List.of(ep), ProxyConfig.defaults(), NodeInfo.named("n"));
        NftServiceRules two = NftablesRenderer.renderService(A, svc, List.of(ep), ProxyConfig.defaults(), NodeInfo.named("n"));
        NftChain chain = one.chains().get(0);
        assertThat(chain.name()).isEqualTo(NftablesChains.endpointChain(A, ep));
        assertThat(chain.rules()).containsExactly("ip saddr 10.244.1.1 jump mark-for-masquerade",
                "meta l4proto tcp dnat to 10.244.1.1:8080");
        assertThat(two.chains().get(0)).isSameAs(chain);

        ServicePortInfo sticky = svc.withSessionAffinity(SessionAffinity.clientIp(60));
        NftServiceRules affinity = NftablesRenderer.renderService(A, sticky, List.of(ep), ProxyConfig.defaults(),
                NodeInfo.named("n"));
        assertThat(affinity.chains().get(0).rules()).containsExactly("ip saddr 10.244.1.1 jump mark-for-masquerade",
                "update @" + NftablesChains.affinitySet(A, ep) + " { ip saddr }", "meta l4proto tcp dnat to 10.244.1.1:8080");
        assertThat(affinity.affinitySets()).containsExactly("add set ip kube-proxy " + NftablesChains.affinitySet(A, ep)
                + " { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }");
    }

    @Test
    void systemRunnerWritesByteStdinVerbatim() {
        byte[] input = new byte[200_000];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ('a' + i % 26);
        }
        input[7] = '\n';
        CommandResult result = CommandRunner.system().run(List.of("cat"), input, Duration.ofSeconds(30));
        assertThat(result.ok()).isTrue();
        assertThat(result.stdout()).isEqualTo(new String(input, StandardCharsets.UTF_8));
    }
}
