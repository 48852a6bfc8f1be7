package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class SchedulerTest {
    static KubernetesClient client;
    private AutoCloseable controllers;

    @BeforeEach
    void start() {
        Quiet.mockServer();
        client.nodes().resource(node("node-a", true).build()).create();
        client.nodes().resource(node("node-b", true).build()).create();
        client.nodes().resource(node("node-cp", true).editSpec().addNewTaint()
                .withKey("node-role.kubernetes.io/control-plane").withEffect("NoSchedule").endTaint().endSpec().build()).create();
        client.nodes().resource(node("node-down", false).build()).create();
        controllers = Controllers.start(client);
    }

    @AfterEach
    void stop() throws Exception {
        controllers.close();
        client.pods().inNamespace("default").delete();
        client.nodes().delete();
    }

    static NodeBuilder node(String name, boolean ready) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus();
    }

    static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build();
    }

    private Map<String, Long> podsPerNode() {
        return client.pods().inNamespace("default").list().getItems().stream()
                .filter(p -> p.getSpec().getNodeName() != null)
                .collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(), Collectors.counting()));
    }

    @Test
    void spreadsOverReadyUntaintedNodes() {
        for (String name : List.of("p1", "p2", "p3", "p4")) {
            client.pods().inNamespace("default").resource(pod(name)).create();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(podsPerNode()).containsExactlyInAnyOrderEntriesOf(Map.of("node-a", 2L, "node-b", 2L)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.v1().events().inNamespace("default").list().getItems())
                        .filteredOn(e -> "Scheduled".equals(e.getReason()))
                        .extracting(e -> e.getInvolvedObject().getName())
                        .contains("p1", "p2", "p3", "p4"));
    }

    @Test
    void toleratingPodMayUseTaintedNodeAndOtherSchedulersAreIgnored() {
        client.pods().inNamespace("default").resource(new PodBuilder(pod("cp-only")).editSpec()
                .addToNodeSelector("kubernetes.io/hostname", "node-cp")
                .addNewToleration().withKey("node-role.kubernetes.io/control-plane").withOperator("Exists")
                .withEffect("NoSchedule").endToleration().endSpec().build()).create();
        client.pods().inNamespace("default").resource(new PodBuilder(pod("other")).editSpec()
                .withSchedulerName("my-scheduler").endSpec().build()).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                client.pods().inNamespace("default").withName("cp-only").get().getSpec().getNodeName()).isEqualTo("node-cp"));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                client.pods().inNamespace("default").withName("other").get().getSpec().getNodeName()).isNull());
    }

    @Test
    void unschedulablePodWaitsForAMatchingNode() {
        client.pods().inNamespace("default").resource(new PodBuilder(pod("picky")).editSpec()
                .addToNodeSelector("disk", "ssd").endSpec().build()).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Pod p = client.pods().inNamespace("default").withName("picky").get();
            assertThat(p.getSpec().getNodeName()).isNull();
            assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("PodScheduled");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("Unschedulable");
                assertThat(c.getMessage()).startsWith("0/4 nodes are available:");
            });
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> client.nodes().withName("node-b")
                .edit(n -> new NodeBuilder(n).editMetadata().addToLabels("disk", "ssd").endMetadata().build()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                client.pods().inNamespace("default").withName("picky").get().getSpec().getNodeName()).isEqualTo("node-b"));
    }

    @Test
    void nodeFitRejectsWithUpstreamReasons() {
        Node down = node("x", false).build();
        assertThat(NodeFit.rejection(pod("p"), down)).hasValue("node(s) were not ready");
        Node tainted = node("y", true).editSpec().addNewTaint().withKey("k").withValue("v").withEffect("NoSchedule")
                .endTaint().endSpec().build();
        assertThat(NodeFit.rejection(pod("p"), tainted)).hasValue("node(s) had untolerated taint {k: v}");
        Pod tolerant = new PodBuilder(pod("p")).editSpec().addNewToleration().withKey("k").withValue("v")
                .withOperator("Equal").endToleration().endSpec().build();
        assertThat(NodeFit.rejection(tolerant, tainted)).isEmpty();
        Node preferNo = node("z", true).editSpec().addNewTaint().withKey("k").withEffect("PreferNoSchedule")
                .endTaint().endSpec().build();
        assertThat(NodeFit.rejection(pod("p"), preferNo)).isEmpty();
        assertThat(NodeFit.choose(pod("p"), List.of(node("b", true).build(), node("a", true).build()),
                Map.of("a", 3, "b", 1)).node()).hasValue("b");
        assertThat(NodeFit.choose(pod("p"), List.of(node("b", true).build(), node("a", true).build()),
                Map.of()).node()).hasValue("a");
    }
}
