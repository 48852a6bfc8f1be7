package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graceful pod deletion, finalizers + deletionTimestamp, ownerReference propagation (Background/Foreground/Orphan). */
class DeletionSemanticsTest {
    private static final String PODS = "/api/v1/namespaces/default/pods";
    private static final String CMS = "/api/v1/namespaces/default/configmaps";

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

    private static String pod(String name, String nodeName, int grace) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + (nodeName.isEmpty() ? "" : "\"nodeName\":\"" + nodeName + "\",")
                + "\"terminationGracePeriodSeconds\":" + grace + ",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
    }

    private static TestHttp.Response delete(String path, String options) {
        return http.send(HttpRequest.newBuilder(URI.create(http.base() + path)).header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(options)));
    }

    @Test
    void boundPodStaysTerminatingUntilTheNodeDeletesItWithGraceZero() {
        assertThat(http.post(PODS, pod("g1", "node-a", 30)).code()).isEqualTo(201);
        TestHttp.Response first = http.delete(PODS + "/g1");
        assertThat(first.code()).isEqualTo(200);
        assertThat(first.body().at("/metadata/deletionTimestamp").asText()).isNotEmpty();
        assertThat(first.body().at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(30);
        JsonNode still = http.get(PODS + "/g1").body();
        assertThat(still.at("/metadata/deletionTimestamp").asText()).isEqualTo(first.body().at("/metadata/deletionTimestamp").asText());
        // the node agent's final delete
        assertThat(delete(PODS + "/g1", "{\"gracePeriodSeconds\":0}").code()).isEqualTo(200);
        assertThat(http.get(PODS + "/g1").code()).isEqualTo(404);
    }

    @Test
    void unboundPodIsDeletedAtOnceAndDryRunKeepsIt() {
        assertThat(http.post(PODS, pod("u1", "", 30)).code()).isEqualTo(201);
        assertThat(http.delete(PODS + "/u1?dryRun=All").code()).isEqualTo(200);
        assertThat(http.get(PODS + "/u1").code()).isEqualTo(200);
        assertThat(http.delete(PODS + "/u1").code()).isEqualTo(200);
        assertThat(http.get(PODS + "/u1").code()).isEqualTo(404);
    }

    @Test
    void expiredGracePeriodRemovesThePod() {
        assertThat(http.post(PODS, pod("e1", "node-a", 1)).code()).isEqualTo(201);
        assertThat(http.delete(PODS + "/e1").body().at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get(PODS + "/e1").code() == 404);
    }

    @Test
    void finalizersHoldTheObjectUntilRemoved() {
        assertThat(http.post(CMS, "{\"metadata\":{\"name\":\"f1\",\"finalizers\":[\"example.com/hold\"]}}").code()).isEqualTo(201);
        TestHttp.Response deleting = http.delete(CMS + "/f1");
        assertThat(deleting.code()).isEqualTo(200);
        assertThat(deleting.body().at("/metadata/deletionTimestamp").asText()).isNotEmpty();
        assertThat(http.get(CMS + "/f1").code()).isEqualTo(200);

        TestHttp.Response more = http.patch(CMS + "/f1", "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":[\"example.com/hold\",\"example.com/other\"]}}");
        assertThat(more.code()).isEqualTo(422);
        assertThat(more.body().at("/details/causes/0/field").asText()).isEqualTo("metadata.finalizers");
        // deletionTimestamp cannot be cleared by a client
        assertThat(http.patch(CMS + "/f1", "application/merge-patch+json", "{\"metadata\":{\"deletionTimestamp\":null}}")
                .body().at("/metadata/deletionTimestamp").asText()).isNotEmpty();

        assertThat(http.patch(CMS + "/f1", "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}").code())
                .isEqualTo(200);
        assertThat(http.get(CMS + "/f1").code()).isEqualTo(404);
    }

    @Test
    void ownerReferencesCascadeOrOrphan() {
        for (String policy : new String[] {"Background", "Foreground", "Orphan"}) {
            String owner = "owner-" + policy.toLowerCase();
            String uid = http.post(CMS, "{\"metadata\":{\"name\":\"" + owner + "\"}}").body().at("/metadata/uid").asText();
            String ref = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"" + owner + "\",\"uid\":\"" + uid + "\"}";
            String child = "child-" + policy.toLowerCase();
            assertThat(http.post(CMS, "{\"metadata\":{\"name\":\"" + child + "\",\"ownerReferences\":[" + ref + "]}}").code())
                    .isEqualTo(201);
            String grandchildUid = http.get(CMS + "/" + child).body().at("/metadata/uid").asText();
            assertThat(http.post(PODS, "{\"metadata\":{\"name\":\"gc-" + child + "\",\"ownerReferences\":[{\"apiVersion\":\"v1\","
                    + "\"kind\":\"ConfigMap\",\"name\":\"" + child + "\",\"uid\":\"" + grandchildUid + "\"}]},\"spec\":"
                    + "{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}").code()).isEqualTo(201);

            assertThat(delete(CMS + "/" + owner, "{\"propagationPolicy\":\"" + policy + "\"}").code()).isEqualTo(200);
            assertThat(http.get(CMS + "/" + owner).code()).isEqualTo(404);
            if (policy.equals("Orphan")) {
                JsonNode orphan = http.get(CMS + "/" + child).body();
                assertThat(orphan.at("/metadata/ownerReferences").isMissingNode()).isTrue();
                assertThat(http.get(PODS + "/gc-" + child).code()).isEqualTo(200);
            } else {
                assertThat(http.get(CMS + "/" + child).code()).as(policy).isEqualTo(404);
                assertThat(http.get(PODS + "/gc-" + child).code()).as(policy).isEqualTo(404);
            }
        }
    }

    @Test
    void generationCountsSpecChangesOnly() {
        String body = "{\"metadata\":{\"name\":\"gen\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"g\"}},\"template\":"
                + "{\"metadata\":{\"labels\":{\"app\":\"g\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}";
        String path = "/apis/apps/v1/namespaces/default/deployments";
        assertThat(http.post(path, body).body().at("/metadata/generation").asLong()).isEqualTo(1);
        assertThat(http.patch(path + "/gen", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}")
                .body().at("/metadata/generation").asLong()).isEqualTo(1);
        assertThat(http.patch(path + "/gen", "application/merge-patch+json", "{\"spec\":{\"replicas\":3}}")
                .body().at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(http.patch(path + "/gen/status", "application/merge-patch+json", "{\"status\":{\"observedGeneration\":2}}")
                .body().at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(http.get(path + "/gen").body().at("/status/observedGeneration").asLong()).isEqualTo(2);
    }
}
