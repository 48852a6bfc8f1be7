package dev.junction.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.EndpointsChangeTracker;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ServicePortName;
import dev.junction.testing.RequiresRoot;
import dev.junction.testing.TestNetns;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole nftables-mode proxy: mock API server → controller → nft in a test namespace. */
@EnableKubernetesMockClient(crud = true)
@RequiresRoot(commands = {"nft"})
class NftablesProxyServerTest {
    static KubernetesClient client;

    @Test
    void servicesFromTheApiBecomeTableEntries() {
        client.services().resource(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("10.96.100.1")
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
                .withName("web-1").addToLabels(EndpointsChangeTracker.SERVICE_NAME_LABEL, "web").endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withPort(8000).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("10.250.0.2").withNewConditions().withReady(true).endConditions().endEndpoint()
                .build()).create();
        ProxyConfig config = ProxyConfig.defaults().withMode("nftables").withMetricsBindAddress("")
                .withIptables(new ProxyConfig.Iptables(Duration.ZERO, Duration.ofMinutes(5), "default"));
        String chain = NftablesChains.serviceChain(new ServicePortName("default", "web", "http", Protocol.TCP));
        try (TestNetns ns = TestNetns.create("nsrv");
                NftablesProxyServer proxy = NftablesProxyServer.start(client, config, "node-a", List.of("10.96.0.0/12"),
                        CommandRunner.system(), List.of("ip", "netns", "exec", ns.name()))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ns.exec(new String[] {"nft", "list", "map", "ip", "kube-proxy", "service-ips"}).stdout())
                            .contains("10.96.100.1 . tcp . 80 : goto " + chain));
            client.services().inNamespace("default").withName("web").delete();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ns.exec(new String[] {"nft", "list", "table", "ip", "kube-proxy"}).stdout()).contains("service-ips").doesNotContain(chain));
            assertThat(proxy.proxier().partialSyncs()).isPositive();
        }
    }
}
