package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class EndpointSliceControllerTest {
    static KubernetesClient client;
    private Controllers.Running controllers;

    @BeforeEach
    void start() {
        Quiet.mockServer();
        controllers = Controllers.start(client);
    }

    @AfterEach
    void stop() throws Exception {
        controllers.close();
    }

    /** A pod already bound to node-a (the scheduler leaves it alone) with the given IP and readiness. */
    private void pod(String name, Map<String, String> labels, String ip, boolean ready, UnaryOperator<PodBuilder> spec) {
        Pod pod = spec.apply(new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withLabels(labels).endMetadata()
                .withNewSpec().withNodeName("node-a").addNewContainer().withName("app").withImage("nginx")
                .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()).build();
        Pod created = client.pods().inNamespace("default").resource(pod).create();
        setStatus(created.getMetadata().getName(), ip, ready);
    }

    private void setStatus(String name, String ip, boolean ready) {
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                client.pods().inNamespace("default").withName(name).editStatus(p -> new PodBuilder(p).withNewStatus()
                        .withPhase("Running").withPodIP(ip)
                        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                        .endStatus().build()));
    }

    private List<EndpointSlice> slices(String service, String managedBy) {
        return client.discovery().v1().endpointSlices().inNamespace("default")
                .withLabel("kubernetes.io/service-name", service)
                .withLabel("endpointslice.kubernetes.io/managed-by", managedBy).list().getItems();
    }

    private static Endpoint endpoint(EndpointSlice slice, String ip) {
        return slice.getEndpoints().stream().filter(e -> e.getAddresses().contains(ip)).findFirst().orElseThrow();
    }

    @Test
    void writtenSlicesCarryTheTriggerTimeOfThePodChange() {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("timed")
                .withNamespace("default").endMetadata().withNewSpec().addToSelector("app", "timed")
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec().build()).create();
        pod("timed-1", Map.of("app", "timed"), "10.244.2.5", false, b -> b);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(slices("timed", "endpointslice-controller.k8s.io"))
                .singleElement().satisfies(s -> assertThat(s.getEndpoints()).hasSize(1)));
        // the pod becomes ready at a known moment: the slice rewritten for it carries that moment
        String readySince = "2026-11-22T01:02:03.456789Z";
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                client.pods().inNamespace("default").withName("timed-1").editStatus(p -> new PodBuilder(p).withNewStatus()
                        .withPhase("Running").withPodIP("10.244.2.5").addNewCondition().withType("Ready").withStatus("True")
                        .withLastTransitionTime(readySince).endCondition().endStatus().build()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            EndpointSlice slice = slices("timed", "endpointslice-controller.k8s.io").get(0);
            assertThat(slice.getEndpoints().get(0).getConditions().getReady()).isTrue();
            assertThat(slice.getMetadata().getAnnotations())
                    .containsEntry("endpoints.kubernetes.io/last-change-trigger-time", readySince);
        });
    }

    @Test
    void sliceResolvesNamedPortsAndFollowsPodReadinessAndAddress() {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web")
                .withNamespace("default").endMetadata().withNewSpec().addToSelector("app", "web")
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .addNewPort().withName("metrics").withPort(9090).withProtocol("TCP").endPort()
                .endSpec().build()).create();
        pod("web-1", Map.of("app", "web"), "10.244.1.5", true, b -> b);
        pod("web-2", Map.of("app", "web"), "10.244.1.6", false, b -> b);
        pod("web-3", Map.of("app", "web"), null, true, b -> b);
        pod("other", Map.of("app", "other"), "10.244.1.7", true, b -> b);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("web", "endpointslice-controller.k8s.io");
            assertThat(slices).hasSize(1);
            EndpointSlice slice = slices.get(0);
            assertThat(slice.getMetadata().getName()).matches("web-[bcdfghjklmnpqrstvwxz2456789]{5}");
            assertThat(slice.getMetadata().getGenerateName()).isEqualTo("web-");
            assertThat(slice.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
                assertThat(ref.getKind()).isEqualTo("Service");
                assertThat(ref.getName()).isEqualTo("web");
            });
            assertThat(slice.getAddressType()).isEqualTo("IPv4");
            assertThat(slice.getPorts()).extracting(p -> p.getName() + "/" + p.getPort() + "/" + p.getProtocol())
                    .containsExactlyInAnyOrder("http/8080/TCP", "metrics/9090/TCP");
            assertThat(slice.getEndpoints()).hasSize(2);
            Endpoint one = endpoint(slice, "10.244.1.5");
            assertThat(one.getConditions().getReady()).isTrue();
            assertThat(one.getConditions().getServing()).isTrue();
            assertThat(one.getConditions().getTerminating()).isFalse();
            assertThat(one.getNodeName()).isEqualTo("node-a");
            assertThat(one.getTargetRef().getKind()).isEqualTo("Pod");
            assertThat(one.getTargetRef().getName()).isEqualTo("web-1");
            assertThat(endpoint(slice, "10.244.1.6").getConditions().getReady()).isFalse();
            assertThat(endpoint(slice, "10.244.1.6").getConditions().getServing()).isFalse();
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Endpoints ep = client.endpoints().inNamespace("default").withName("web").get();
            assertThat(ep.getMetadata().getLabels()).doesNotContainKey("service.kubernetes.io/headless");
            assertThat(ep.getSubsets()).singleElement().satisfies(s -> {
                assertThat(s.getAddresses()).extracting(a -> a.getIp()).containsExactly("10.244.1.5");
                assertThat(s.getNotReadyAddresses()).extracting(a -> a.getIp()).containsExactly("10.244.1.6");
                assertThat(s.getPorts()).extracting(p -> p.getName() + "/" + p.getPort())
                        .containsExactlyInAnyOrder("http/8080", "metrics/9090");
            });
        });
        String sliceName = slices("web", "endpointslice-controller.k8s.io").get(0).getMetadata().getName();
        assertThat(slices("web", "endpointslicemirroring-controller.k8s.io")).isEmpty();

        setStatus("web-2", "10.244.1.6", true);
        setStatus("web-1", "10.244.1.50", true);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            EndpointSlice slice = slices("web", "endpointslice-controller.k8s.io").get(0);
            assertThat(slice.getMetadata().getName()).isEqualTo(sliceName);
            assertThat(slice.getEndpoints()).extracting(e -> e.getAddresses().get(0))
                    .containsExactlyInAnyOrder("10.244.1.50", "10.244.1.6");
            assertThat(endpoint(slice, "10.244.1.6").getConditions().getReady()).isTrue();
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.endpoints().inNamespace("default")
                .withName("web").get().getSubsets()).singleElement().satisfies(s -> {
                    assertThat(s.getAddresses()).extracting(a -> a.getIp()).containsExactly("10.244.1.50", "10.244.1.6");
                    assertThat(s.getNotReadyAddresses()).isEmpty();
                }));

        String version = slices("web", "endpointslice-controller.k8s.io").get(0).getMetadata().getResourceVersion();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> client.pods().inNamespace("default")
                .withName("web-1").edit(p -> new PodBuilder(p).editMetadata().addToAnnotations("unrelated", "change")
                        .endMetadata().build()));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                slices("web", "endpointslice-controller.k8s.io").get(0).getMetadata().getResourceVersion()).isEqualTo(version));
    }

    @Test
    void terminatingPodIsServingButNotReady() {
        Service svc = new ServiceBuilder().withNewMetadata().withName("t").withNamespace("default").endMetadata()
                .withNewSpec().addToSelector("app", "t").addNewPort().withPort(80).endPort().endSpec().build();
        Pod pod = new PodBuilder().withNewMetadata().withName("t-1").withNamespace("default").addToLabels("app", "t")
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withNewStatus().withPodIP("10.0.0.9").addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
        var ep = EndpointSliceController.endpoint(svc, pod, "10.0.0.9");
        assertThat(ep.ready()).isFalse();
        assertThat(ep.serving()).isTrue();
        assertThat(ep.terminating()).isTrue();
        Service publish = new ServiceBuilder(svc).editSpec().withPublishNotReadyAddresses(true).endSpec().build();
        assertThat(EndpointSliceController.endpoint(publish, pod, "10.0.0.9").ready()).isTrue();
    }

    @Test
    void headlessServiceCarriesPodHostnames() {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("db")
                .withNamespace("default").endMetadata().withNewSpec().withClusterIP("None").addToSelector("app", "db")
                .endSpec().build()).create();
        pod("db-0", Map.of("app", "db"), "10.244.2.3", true, b -> b.editSpec().withHostname("db-0").withSubdomain("db").endSpec());
        pod("db-x", Map.of("app", "db"), "10.244.2.4", true, b -> b.editSpec().withHostname("db-x").withSubdomain("elsewhere").endSpec());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("db", "endpointslice-controller.k8s.io");
            assertThat(slices).hasSize(1);
            assertThat(slices.get(0).getMetadata().getLabels()).containsKey("service.kubernetes.io/headless");
            assertThat(slices.get(0).getPorts()).isEmpty();
            assertThat(endpoint(slices.get(0), "10.244.2.3").getHostname()).isEqualTo("db-0");
            assertThat(endpoint(slices.get(0), "10.244.2.4").getHostname()).isNull();
        });
    }

    @Test
    void selectorlessServiceEndpointsAreMirroredNotOverwritten() {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("ext")
                .withNamespace("default").endMetadata().withNewSpec()
                .addNewPort().withName("web").withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec().build()).create();
        client.endpoints().inNamespace("default").resource(new EndpointsBuilder().withNewMetadata().withName("ext")
                .withNamespace("default").addToLabels("team", "a").endMetadata()
                .addNewSubset().addNewAddress().withIp("192.168.1.10").endAddress()
                .addNewNotReadyAddress().withIp("192.168.1.11").endNotReadyAddress()
                .addNewPort().withName("web").withPort(8080).withProtocol("TCP").endPort().endSubset().build()).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("ext", "endpointslicemirroring-controller.k8s.io");
            assertThat(slices).hasSize(1);
            EndpointSlice slice = slices.get(0);
            assertThat(slice.getMetadata().getName()).matches("ext-[bcdfghjklmnpqrstvwxz2456789]{5}");
            assertThat(slice.getMetadata().getLabels()).containsEntry("team", "a");
            assertThat(slice.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(ref -> assertThat(ref.getKind()).isEqualTo("Endpoints"));
            assertThat(slice.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
            assertThat(endpoint(slice, "192.168.1.10").getConditions().getReady()).isTrue();
            assertThat(endpoint(slice, "192.168.1.11").getConditions().getReady()).isFalse();
        });
        assertThat(slices("ext", "endpointslice-controller.k8s.io")).isEmpty();
        Endpoints ep = client.endpoints().inNamespace("default").withName("ext").get();
        assertThat(ep.getMetadata().getLabels()).doesNotContainKey("endpointslice.kubernetes.io/skip-mirror");
        assertThat(ep.getSubsets().get(0).getAddresses()).extracting(a -> a.getIp()).containsExactly("192.168.1.10");
    }

    @Test
    void externalNameServiceGetsNoSlices() {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("cname")
                .withNamespace("default").endMetadata().withNewSpec().withType("ExternalName")
                .withExternalName("example.com").addToSelector("app", "web").endSpec().build()).create();
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("marker")
                .withNamespace("default").endMetadata().withNewSpec().addToSelector("app", "none").endSpec().build()).create();
        // the placeholder slice of "marker" proves the controller ran after "cname" was seen
        await().atMost(Duration.ofSeconds(60)).until(() -> slices("marker", "endpointslice-controller.k8s.io").size() == 1);
        assertThat(slices("cname", "endpointslice-controller.k8s.io")).isEmpty();
        assertThat(controllers.prometheusText()).contains("workqueue_adds_total{name=\"endpointslice-controller\"} ");
    }
}
