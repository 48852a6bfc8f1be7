package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Immutable fields on update (ValidateServiceUpdate, ValidatePodUpdate, apps selectors, slices, IngressClass). */
class ImmutableFieldsTest {
    @TempDir
    static Path dir;
    static ApiServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        server = ApiServer.builder().dataDir(dir).bindAddress("127.0.0.1").port(0).advertiseAddress("172.30.0.10").build().start();
        http = new TestHttp(server.url());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode firstCause(TestHttp.Response r) {
        assertThat(r.code()).as(r.body().toString()).isEqualTo(422);
        return r.body().at("/details/causes/0");
    }

    @Test
    void serviceClusterIpMayNotChangeButOtherFieldsMay() {
        String path = "/api/v1/namespaces/default/services/imm";
        assertThat(http.post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"imm\"},\"spec\":"
                + "{\"clusterIP\":\"10.96.5.5\",\"ports\":[{\"port\":80}]}}").code()).isEqualTo(201);
        JsonNode cause = firstCause(http.patch(path, "application/merge-patch+json", "{\"spec\":{\"clusterIP\":\"10.96.5.6\"}}"));
        assertThat(cause.path("field").asText()).isEqualTo("spec.clusterIPs[0]");
        assertThat(cause.path("message").asText()).isEqualTo("Invalid value: [\"10.96.5.6\"]: may not change once set");
        JsonNode headless = firstCause(http.patch(path, "application/merge-patch+json", "{\"spec\":{\"clusterIP\":\"None\"}}"));
        assertThat(headless.path("message").asText()).isEqualTo("Invalid value: [\"None\"]: may not change once set");
        // type change ClusterIP -> NodePort keeps the IP; changing ports is allowed
        TestHttp.Response ok = http.patch(path, "application/merge-patch+json", "{\"spec\":{\"type\":\"NodePort\"}}");
        assertThat(ok.code()).isEqualTo(200);
        assertThat(ok.body().at("/spec/clusterIP").asText()).isEqualTo("10.96.5.5");
        // back to ClusterIP: the defaulted externalTrafficPolicy is dropped with the type
        TestHttp.Response back = http.patch(path, "application/merge-patch+json", "{\"spec\":{\"type\":\"ClusterIP\"}}");
        assertThat(back.code()).as(back.body().toString()).isEqualTo(200);
        assertThat(back.body().at("/spec/externalTrafficPolicy").isMissingNode()).isTrue();
        assertThat(back.body().at("/spec/ports/0/nodePort").isMissingNode()).isTrue();
    }

    @Test
    void podSpecIsImmutableExceptImageAndBinding() {
        String path = "/api/v1/namespaces/default/pods/p1";
        assertThat(http.post("/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"p1\"},\"spec\":{\"containers\":"
                + "[{\"name\":\"c\",\"image\":\"busybox:1\",\"ports\":[{\"containerPort\":80}]}]}}").code()).isEqualTo(201);
        JsonNode cause = firstCause(http.patch(path, "application/strategic-merge-patch+json",
                "{\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":81}]}]}}"));
        assertThat(cause.path("field").asText()).isEqualTo("spec");
        assertThat(cause.path("reason").asText()).isEqualTo("FieldValueForbidden");
        assertThat(cause.path("message").asText()).startsWith("Forbidden: pod updates may not change fields other than");
        assertThat(http.patch(path, "application/strategic-merge-patch+json",
                "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:2\"}]}}").code()).isEqualTo(200);
        assertThat(http.patch(path, "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}").code())
                .isEqualTo(200);
        assertThat(http.patch(path, "application/merge-patch+json", "{\"spec\":{\"nodeName\":\"node-a\"}}").code()).isEqualTo(200);
        assertThat(firstCause(http.patch(path, "application/merge-patch+json", "{\"spec\":{\"nodeName\":\"node-b\"}}"))
                .path("field").asText()).isEqualTo("spec");
    }

    @Test
    void deploymentSelectorIsImmutable() {
        String body = "{\"metadata\":{\"name\":\"d1\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"a\"}},\"template\":"
                + "{\"metadata\":{\"labels\":{\"app\":\"a\",\"v\":\"1\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}";
        assertThat(http.post("/apis/apps/v1/namespaces/default/deployments", body).code()).isEqualTo(201);
        JsonNode cause = firstCause(http.patch("/apis/apps/v1/namespaces/default/deployments/d1", "application/merge-patch+json",
                "{\"spec\":{\"selector\":{\"matchLabels\":{\"v\":\"1\"}}}}"));
        assertThat(cause.path("field").asText()).isEqualTo("spec.selector");
        assertThat(cause.path("message").asText()).endsWith("field is immutable");
    }

    @Test
    void endpointSliceAddressTypeAndIngressClassControllerAreImmutable() {
        assertThat(http.post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", "{\"metadata\":{\"name\":\"s1\"},"
                + "\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"10.244.1.2\"]}]}").code()).isEqualTo(201);
        JsonNode cause = firstCause(http.patch("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/s1",
                "application/merge-patch+json", "{\"addressType\":\"FQDN\",\"endpoints\":[{\"addresses\":[\"a.example.com\"]}]}"));
        assertThat(cause.path("field").asText()).isEqualTo("addressType");
        assertThat(http.post("/apis/networking.k8s.io/v1/ingressclasses", "{\"metadata\":{\"name\":\"ic1\"},"
                + "\"spec\":{\"controller\":\"example.com/a\"}}").code()).isEqualTo(201);
        JsonNode ic = firstCause(http.patch("/apis/networking.k8s.io/v1/ingressclasses/ic1", "application/merge-patch+json",
                "{\"spec\":{\"controller\":\"example.com/b\"}}"));
        assertThat(ic.path("field").asText()).isEqualTo("spec.controller");
    }
}
