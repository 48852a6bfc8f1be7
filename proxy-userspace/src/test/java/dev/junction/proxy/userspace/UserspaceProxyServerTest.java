package dev.junction.proxy.userspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.proxy.EndpointsChangeTracker;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ServicePortName;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The whole userspace proxy: mock API server → controller → a loopback listener relaying to a real backend. */
@EnableKubernetesMockClient(crud = true)
class UserspaceProxyServerTest {
    static KubernetesClient client;

    @Test
    void servicesFromTheApiGetAListenerThatReachesTheEndpoint() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!backend.isClosed()) {
                    try (Socket s = backend.accept()) {
                        s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            client.services().resource(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                    .withNewSpec().withType("ClusterIP").withClusterIP("10.96.100.1")
                    .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
            client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
                    .withName("web-1").addToLabels(EndpointsChangeTracker.SERVICE_NAME_LABEL, "web").endMetadata()
                    .withAddressType("IPv4").addNewPort().withName("http").withPort(backend.getLocalPort()).withProtocol("TCP").endPort()
                    .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
                    .build()).create();
            ProxyConfig config = ProxyConfig.defaults().withMode("userspace").withMetricsBindAddress("")
                    .withIptables(new ProxyConfig.Iptables(Duration.ZERO, Duration.ofMinutes(5), "default"));
            ServicePortName web = new ServicePortName("default", "web", "http", Protocol.TCP);
            try (UserspaceProxyServer proxy = UserspaceProxyServer.start(client, config, "node-a",
                    new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250), Optional.empty(), List.of()))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> proxy.proxier().listenerPort(web).isPresent()
                        && !proxy.proxier().balancer(web).orElseThrow().endpoints().isEmpty());
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.proxier().listenerPort(web).orElseThrow())) {
                    assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
                }
            }
        }
    }
}
