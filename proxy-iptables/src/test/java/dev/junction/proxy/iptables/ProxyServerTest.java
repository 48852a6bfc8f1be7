package dev.junction.proxy.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.IptablesTestObjects;
import dev.junction.proxy.ProxyConfig;
import dev.junction.testing.RequiresRoot;
import dev.junction.testing.TestNetns;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole proxy: mock API server → controller → iptables-restore in a test namespace. */
@EnableKubernetesMockClient(crud = true)
@RequiresRoot(commands = {"iptables-restore", "iptables-save"})
class ProxyServerTest {
    static KubernetesClient client;

    @Test
    void servicesFromTheApiBecomeRules() throws Exception {
        client.services().resource(IptablesTestObjects.service("default", "web", "10.96.100.1", 80)).create();
        client.discovery().v1().endpointSlices()
                .resource(IptablesTestObjects.slice("default", "web", "web-1", 8000, "10.250.0.2")).create();
        ProxyConfig config = ProxyConfig.defaults().withMetricsBindAddress("127.0.0.1:0")
                .withIptables(new ProxyConfig.Iptables(Duration.ZERO, Duration.ofMinutes(5), "default"));
        try (TestNetns ns = TestNetns.create("psrv");
                ProxyServer proxy = ProxyServer.start(client, config, "node-a", CommandRunner.system(),
                        List.of("ip", "netns", "exec", ns.name()));
                HttpClient http = HttpClient.newHttpClient()) {
            String svcChain = "KUBE-SVC-" + IptablesChains.portProtoHash(
                    new dev.junction.proxy.ServicePortName("default", "web", "http", dev.junction.proxy.Protocol.TCP));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ns.check("iptables-save", "-t", "nat").stdout())
                            .contains("-A KUBE-SERVICES -d 10.96.100.1/32 -p tcp -m comment --comment \"default/web:http cluster IP\"")
                            .contains(svcChain));

            client.services().inNamespace("default").withName("web").delete();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ns.check("iptables-save", "-t", "nat").stdout()).doesNotContain(svcChain));

            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.metricsPort().orElseThrow() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("kubeproxy_sync_proxy_rules_duration_seconds_count");
        }
    }
}
