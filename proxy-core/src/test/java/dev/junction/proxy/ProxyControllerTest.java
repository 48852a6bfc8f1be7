package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The controller against fabric8's CRUD mock API server, with a recording proxier. */
@EnableKubernetesMockClient(crud = true)
class ProxyControllerTest {
    static KubernetesClient client;

    private static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);

    @Test
    void snapshotsFollowServicesSlicesAndNode() {
        client.services().resource(Fixtures.service("default", "web", "10.96.0.20", 80)).create();
        client.discovery().v1().endpointSlices().resource(Fixtures.slice("default", "web", "web-abc", 8080, "10.244.1.2")).create();
        AtomicReference<ProxySnapshot> last = new AtomicReference<>(ProxySnapshot.EMPTY);
        AtomicReference<NodeInfo> lastNode = new AtomicReference<>();
        ProxyConfig config = ProxyConfig.defaults().withIptables(
                new ProxyConfig.Iptables(Duration.ZERO, Duration.ofMinutes(10), "default"));
        ProxyMetrics metrics = new ProxyMetrics(Clock.systemUTC(), Duration.ofMinutes(20));
        try (ProxyController controller = ProxyController.start(client, config, "node-a", (snapshot, node) -> {
            last.set(snapshot);
            lastNode.set(node);
        }, metrics)) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(last.get().services().get(WEB)).isPresent();
                assertThat(last.get().endpoints().ready(WEB)).extracting(EndpointInfo::endpoint).containsExactly("10.244.1.2:8080");
            });

            // A second slice of the same Service is merged.
            client.discovery().v1().endpointSlices().resource(Fixtures.slice("default", "web", "web-def", 8080, "10.244.2.2")).create();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(last.get().endpoints().ready(WEB))
                    .extracting(EndpointInfo::endpoint).containsExactly("10.244.1.2:8080", "10.244.2.2:8080"));

            // The Node's addresses reach the proxier.
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress("172.30.0.11").endAddress().endStatus()
                    .build()).create();
            client.services().resource(Fixtures.service("default", "other", "10.96.0.21", 80)).create();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(lastNode.get().addresses()).containsExactly("172.30.0.11"));

            // Deleting the Service removes it.
            client.services().inNamespace("default").withName("web").delete();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(last.get().services().get(WEB)).isEmpty());
            assertThat(controller.initialized()).isTrue();
            assertThat(metrics.syncs()).isPositive();
        }
    }

}
