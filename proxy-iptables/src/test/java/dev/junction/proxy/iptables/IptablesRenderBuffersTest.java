package dev.junction.proxy.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NamespacedName;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Renders into {@link IptablesRenderBuffers} kept from one render to the next (as the proxier keeps
 * them from sync to sync) give byte for byte the text of a render into fresh buffers.
 */
class IptablesRenderBuffersTest {
    private static final ProxyConfig CONFIG = ProxyConfig.defaults();
    private static final NodeInfo NODE = NodeInfo.named("test-node");

    @Test
    void reusedBuffersRenderTheSameBytesAsFreshOnes() {
        IptablesRenderBuffers buffers = new IptablesRenderBuffers();
        ProxySnapshot large = cluster(300, 10); // 3,000 endpoints: no per-endpoint comments
        ProxySnapshot small = cluster(3, 2);
        ProxySnapshot golden = IptablesRendererTest.upstreamOverallSnapshot();
        for (ProxySnapshot snapshot : List.of(large, small, golden, large, golden)) {
            byte[] fresh = IptablesRenderer.render(snapshot, CONFIG, NODE).restoreInputBytes(Set.of());
            byte[] reused = IptablesRenderer.render(snapshot, CONFIG, NODE, name -> true, buffers)
                    .restoreInputBytes(Set.of());
            assertThat(reused).isEqualTo(fresh);
        }
        assertThat(buffers.capacityBytes()).isGreaterThan(IptablesRenderer.render(large, CONFIG, NODE)
                .restoreInputBytes(Set.of()).length / 2);
    }

    @Test
    void partialRenderIntoReusedBuffersWritesOnlyChangedServicesButCountsAllActive() {
        IptablesRenderBuffers buffers = new IptablesRenderBuffers();
        ProxySnapshot snapshot = cluster(20, 3);
        IptablesRenderer.render(snapshot, CONFIG, NODE, name -> true, buffers);
        NamespacedName changed = new NamespacedName("ns1", "svc1");
        IptablesRules partial = IptablesRenderer.render(snapshot, CONFIG, NODE, changed::equals, buffers);
        IptablesRules fresh = IptablesRenderer.render(snapshot, CONFIG, NODE, changed::equals);
        assertThat(partial.restoreInput()).isEqualTo(fresh.restoreInput());
        assertThat(partial.activeChains()).hasSize(20 * 4).isEqualTo(fresh.activeChains());
        assertThat(partial.natChains()).hasSize(4 + 1 + 3);
    }

    @Test
    void rulesOfAnEarlierRenderCannotBeReadAfterTheBuffersAreReused() {
        IptablesRenderBuffers buffers = new IptablesRenderBuffers();
        IptablesRules first = IptablesRenderer.render(cluster(2, 2), CONFIG, NODE, name -> true, buffers);
        List<String> firstLines = first.natRules();
        IptablesRenderer.render(cluster(1, 1), CONFIG, NODE, name -> true, buffers);
        assertThat(firstLines).isNotEmpty(); // read before the reuse: kept
        assertThatThrownBy(() -> first.restoreInputBytes(Set.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(first::natChains).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void streamedInputEqualsTheArrayAndTheString() {
        IptablesRules rules = IptablesRenderer.render(cluster(50, 4), CONFIG, NODE);
        List<String> stale = List.of("KUBE-SVC-STALE2", "KUBE-SEP-STALE1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rules.writeRestoreInput(stale, out);
        byte[] bytes = rules.restoreInputBytes(stale);
        assertThat(out.toByteArray()).isEqualTo(bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).isEqualTo(rules.restoreInput(stale))
                .contains(":KUBE-SEP-STALE1 - [0:0]\n:KUBE-SVC-STALE2 - [0:0]\n-A KUBE-POSTROUTING")
                .endsWith("-X KUBE-SEP-STALE1\n-X KUBE-SVC-STALE2\nCOMMIT\n");
    }

    @Test
    void rulesBuiltFromLinesWriteTheSameInput() {
        IptablesRules rendered = IptablesRenderer.render(cluster(5, 3), CONFIG, NODE);
        IptablesRules built = new IptablesRules(rendered.filterChains(), rendered.filterRules(), rendered.natChains(),
                rendered.natRules(), rendered.activeChains());
        assertThat(built.restoreInput()).isEqualTo(rendered.restoreInput());
        assertThat(built.activeServiceChains()).isEqualTo(rendered.activeServiceChains());
    }

    /** {@code services} ClusterIP Services ns1/svc1… with {@code endpoints} ready endpoints each. */
    private static ProxySnapshot cluster(int services, int endpoints) {
        Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>();
        Map<ServicePortName, List<EndpointInfo>> eps = new TreeMap<>();
        int ep = 0;
        for (int i = 1; i <= services; i++) {
            ServicePortName name = new ServicePortName("ns" + (i % 7), "svc" + i, "http", Protocol.TCP);
            ports.put(name, ServicePortInfo.clusterIP("10.96." + (i >> 8) + "." + (i & 0xff), 80, Protocol.TCP));
            List<EndpointInfo> list = new ArrayList<>();
            for (int j = 0; j < endpoints; j++, ep++) {
                list.add(EndpointInfo.ready("10.244." + (ep >> 8) + "." + (ep & 0xff), 8080));
            }
            list.sort(null);
            eps.put(name, list);
        }
        return new ProxySnapshot(ServicePortMap.of(ports), EndpointsMap.of(eps));
    }
}
