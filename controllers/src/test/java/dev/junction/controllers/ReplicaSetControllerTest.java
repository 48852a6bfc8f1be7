package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ReplicaSetControllerTest {
    static KubernetesClient client;
    private AutoCloseable controllers;
    private FakeKubelet kubelet;

    @BeforeEach
    void start() {
        Quiet.mockServer();
        kubelet = new FakeKubelet(client);
        controllers = Controllers.start(client);
    }

    @AfterEach
    void stop() throws Exception {
        controllers.close();
        kubelet.close();
    }

    static Deployment deployment(String name, int replicas, String image) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private List<Pod> pods(String app) {
        return client.pods().inNamespace("default").withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private List<ReplicaSet> replicaSets(String app) {
        return client.apps().replicaSets().inNamespace("default").withLabel("app", app).list().getItems();
    }

    /** Edits with retry: the controllers write status concurrently (409 Conflict). */
    private void editDeployment(String name, java.util.function.UnaryOperator<Deployment> change) {
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                client.apps().deployments().inNamespace("default").withName(name).edit(change));
    }

    @Test
    void deploymentCreatesReplicaSetAndPods() {
        client.apps().deployments().inNamespace("default").resource(deployment("web", 2, "nginx")).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<ReplicaSet> sets = replicaSets("web");
            assertThat(sets).hasSize(1);
            ReplicaSet rs = sets.get(0);
            String hash = rs.getMetadata().getLabels().get("pod-template-hash");
            assertThat(hash).matches("[bcdfghjklmnpqrstvwxz2456789]+");
            assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
            assertThat(rs.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(ref -> assertThat(ref.getKind()).isEqualTo("Deployment"))
                    .satisfies(ref -> assertThat(ref.getController()).isTrue());
            List<Pod> pods = pods("web");
            assertThat(pods).hasSize(2).allSatisfy(p -> {
                assertThat(p.getMetadata().getName()).matches("web-" + hash + "-[bcdfghjklmnpqrstvwxz2456789]{5}");
                assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                        .satisfies(ref -> assertThat(ref.getName()).isEqualTo(rs.getMetadata().getName()));
                assertThat(p.getMetadata().getLabels()).containsEntry("pod-template-hash", hash);
            });
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Deployment d = client.apps().deployments().inNamespace("default").withName("web").get();
            assertThat(d.getStatus().getReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Available");
                assertThat(c.getStatus()).isEqualTo("True");
            }).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Progressing");
                assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
            });
            ReplicaSet rs = replicaSets("web").get(0);
            assertThat(rs.getStatus().getReplicas()).isEqualTo(2);
            assertThat(rs.getStatus().getReadyReplicas()).isEqualTo(2);
            assertThat(rs.getStatus().getFullyLabeledReplicas()).isEqualTo(2);
        });
    }

    @Test
    void deletedPodIsReplacedAndScaleDownRemovesPods() {
        client.apps().deployments().inNamespace("default").resource(deployment("api", 3, "nginx")).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> pods("api").size() == 3);
        String victim = pods("api").get(0).getMetadata().getName();
        client.pods().inNamespace("default").withName(victim).delete();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(pods("api"))
                .hasSize(3).noneMatch(p -> p.getMetadata().getName().equals(victim)));

        editDeployment("api", d -> new DeploymentBuilder(d).editSpec().withReplicas(1).endSpec().build());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(pods("api")).hasSize(1));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> pods("api").size() == 1);
    }

    @Test
    void templateChangeRollsOutNewReplicaSet() {
        client.apps().deployments().inNamespace("default").resource(deployment("roll", 2, "nginx:1.26")).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> pods("roll").size() == 2);
        String oldHash = replicaSets("roll").get(0).getMetadata().getLabels().get("pod-template-hash");
        editDeployment("roll", d -> new DeploymentBuilder(d).editSpec().editTemplate().editSpec().editFirstContainer()
                        .withImage("nginx:1.27").endContainer().endSpec().endTemplate().endSpec().build());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Pod> pods = pods("roll");
            assertThat(pods).hasSize(2).allSatisfy(p -> {
                assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.27");
                assertThat(p.getMetadata().getLabels().get("pod-template-hash")).isNotEqualTo(oldHash);
            });
            assertThat(replicaSets("roll")).hasSize(2).anySatisfy(rs -> {
                assertThat(rs.getMetadata().getLabels()).containsEntry("pod-template-hash", oldHash);
                assertThat(rs.getSpec().getReplicas()).isZero();
            });
            Deployment d = client.apps().deployments().inNamespace("default").withName("roll").get();
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(2);
        });
    }

    @Test
    void replicaSetAdoptsMatchingOrphansAndReleasesRelabelledPods() {
        client.pods().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                .withName("orphan").withNamespace("default").addToLabels("app", "bare").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build()).create();
        client.apps().replicaSets().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                .withNewMetadata().withName("bare").withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "bare").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "bare").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(pods("bare")).hasSize(2).anySatisfy(p -> assertThat(p.getMetadata().getName()).isEqualTo("orphan"));
            assertThat(client.pods().inNamespace("default").withName("orphan").get().getMetadata().getOwnerReferences())
                    .singleElement().satisfies(ref -> assertThat(ref.getName()).isEqualTo("bare"));
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> client.pods().inNamespace("default")
                .withName("orphan").edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p).editMetadata()
                        .addToLabels("app", "debug").endMetadata().build()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(pods("bare")).hasSize(2).noneSatisfy(p -> assertThat(p.getMetadata().getName()).isEqualTo("orphan"));
            assertThat(client.pods().inNamespace("default").withName("orphan").get().getMetadata().getOwnerReferences()).isEmpty();
        });
    }

    @Test
    void recreateStrategyReplacesAllPods() {
        Deployment d = new DeploymentBuilder(deployment("rec", 2, "nginx:1.26")).editSpec().withNewStrategy()
                .withType("Recreate").endStrategy().endSpec().build();
        client.apps().deployments().inNamespace("default").resource(d).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> pods("rec").size() == 2);
        editDeployment("rec", x -> new DeploymentBuilder(x).editSpec().editTemplate().editSpec().editFirstContainer()
                .withImage("nginx:1.27").endContainer().endSpec().endTemplate().endSpec().build());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(pods("rec")).hasSize(2)
                .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.27")));
    }

    @Test
    void deletingDeploymentCollectsReplicaSetsAndPods() {
        client.apps().deployments().inNamespace("default").resource(deployment("gone", 2, "nginx")).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> pods("gone").size() == 2);
        client.apps().deployments().inNamespace("default").withName("gone").delete();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(replicaSets("gone")).isEmpty();
            assertThat(pods("gone")).isEmpty();
        });
    }
}
