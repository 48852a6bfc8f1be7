package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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

    @Test
    void eachSnapshotNamesThePortsThatChangedSinceThePreviousOne() {
        client.services().resource(Fixtures.service("ns2", "web", "10.96.0.30", 80)).create();
        client.services().resource(Fixtures.service("ns2", "api", "10.96.0.31", 80)).create();
        client.discovery().v1().endpointSlices().resource(Fixtures.slice("ns2", "web", "web-1", 8080, "10.244.1.2")).create();
        client.discovery().v1().endpointSlices().resource(Fixtures.slice("ns2", "api", "api-1", 8080, "10.244.1.3")).create();
        ServicePortName web = new ServicePortName("ns2", "web", "http", Protocol.TCP);
        ServicePortName api = new ServicePortName("ns2", "api", "http", Protocol.TCP);
        List<ProxySnapshot> synced = new CopyOnWriteArrayList<>();
        ProxyConfig config = ProxyConfig.defaults().withIptables(
                new ProxyConfig.Iptables(Duration.ZERO, Duration.ofMinutes(10), "default"));
        ProxyMetrics metrics = new ProxyMetrics(Clock.systemUTC(), Duration.ofMinutes(20));
        try (ProxyController controller = ProxyController.start(client, config, "node-b", (snapshot, node) -> synced.add(snapshot),
                metrics)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !synced.isEmpty()
                    && !synced.get(synced.size() - 1).endpoints().get(web).isEmpty()
                    && !synced.get(synced.size() - 1).endpoints().get(api).isEmpty());
            int mark = synced.size();

            // Only web's slice changes: the next snapshot says "web", and only web.
            client.discovery().v1().endpointSlices().inNamespace("ns2").withName("web-1").edit(s -> new EndpointSliceBuilder(s)
                    .editFirstEndpoint().withAddresses("10.244.2.9").endEndpoint().build());
            await().atMost(Duration.ofSeconds(20)).until(() -> synced.get(synced.size() - 1).endpoints().get(web).stream()
                    .anyMatch(e -> e.endpoint().equals("10.244.2.9:8080")));
            List<ProxySnapshot> all = List.copyOf(synced);
            List<ProxySnapshot> after = all.subList(mark - 1, all.size());
            Set<ServicePortName> changed = new HashSet<>();
            for (int i = 1; i < after.size(); i++) {
                changed.addAll(after.get(i).changedSince(after.get(i - 1)).orElseThrow());
            }
            assertThat(changed).containsExactly(web);
            assertThat(after.get(after.size() - 1).endpoints().get(api))
                    .as("api's endpoints are the very list of the snapshot before")
                    .isSameAs(after.get(0).endpoints().get(api));
            assertThat(controller.lastSnapshot()).isSameAs(after.get(after.size() - 1));
        }
    }
}
