package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** managedFields for updates and server-side apply: ownership, conflicts, force, removal of unapplied fields. */
class ServerSideApplyTest {
    private static final String DEPLOY = "/apis/apps/v1/namespaces/default/deployments";
    private static final String APPLY = "application/apply-patch+yaml";

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

    private static String deployment(String name, int replicas, String extraLabel) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  labels: {app: web%s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: nginx
                """.formatted(name, extraLabel.isEmpty() ? "" : ", " + extraLabel, replicas);
    }

    private static JsonNode entry(JsonNode obj, String manager, String operation) {
        for (JsonNode e : obj.at("/metadata/managedFields")) {
            if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals(operation)) {
                return e;
            }
        }
        return Json.MAPPER.missingNode();
    }

    @Test
    void applyOwnsItsFieldsAndConflictsWithAnotherManager() {
        TestHttp.Response created = http.patch(DEPLOY + "/ssa?fieldManager=alice", APPLY, deployment("ssa", 2, "team: a"));
        assertThat(created.code()).as(created.body().toString()).isIn(200, 201);
        JsonNode alice = entry(created.body(), "alice", "Apply");
        assertThat(alice.path("fieldsType").asText()).isEqualTo("FieldsV1");
        assertThat(alice.at("/fieldsV1/f:spec/f:replicas").isObject()).isTrue();
        assertThat(alice.at("/fieldsV1/f:metadata/f:labels/f:team").isObject()).isTrue();
        assertThat(alice.at("/fieldsV1/f:spec/f:template/f:spec/f:containers").fieldNames().next()).isEqualTo("k:{\"name\":\"web\"}");

        // the same apply again is a no-op: no new revision
        String rv = created.body().at("/metadata/resourceVersion").asText();
        assertThat(http.patch(DEPLOY + "/ssa?fieldManager=alice", APPLY, deployment("ssa", 2, "team: a")).body()
                .at("/metadata/resourceVersion").asText()).isEqualTo(rv);

        // bob changes replicas with an update: he now owns it
        JsonNode scaled = http.patch(DEPLOY + "/ssa?fieldManager=bob", "application/merge-patch+json", "{\"spec\":{\"replicas\":5}}").body();
        assertThat(entry(scaled, "bob", "Update").at("/fieldsV1/f:spec/f:replicas").isObject()).isTrue();
        assertThat(entry(scaled, "alice", "Apply").at("/fieldsV1/f:spec/f:replicas").isMissingNode()).isTrue();

        // alice re-applies replicas 2: conflict with bob
        TestHttp.Response conflict = http.patch(DEPLOY + "/ssa?fieldManager=alice", APPLY, deployment("ssa", 2, "team: a"));
        assertThat(conflict.code()).isEqualTo(409);
        assertThat(conflict.body().path("reason").asText()).isEqualTo("Conflict");
        assertThat(conflict.body().path("message").asText())
                .isEqualTo("Apply failed with 1 conflict: conflict with \"bob\" using apps/v1: .spec.replicas");
        assertThat(conflict.body().at("/details/causes/0/reason").asText()).isEqualTo("FieldManagerConflict");
        assertThat(conflict.body().at("/details/causes/0/field").asText()).isEqualTo(".spec.replicas");
        assertThat(http.get(DEPLOY + "/ssa").body().at("/spec/replicas").asInt()).isEqualTo(5);

        // force takes it back
        JsonNode forced = http.patch(DEPLOY + "/ssa?fieldManager=alice&force=true", APPLY, deployment("ssa", 2, "team: a")).body();
        assertThat(forced.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(entry(forced, "bob", "Update").isMissingNode()).isTrue();

        // dropping a field from the applied configuration removes it (nobody else owns it)
        JsonNode dropped = http.patch(DEPLOY + "/ssa?fieldManager=alice", APPLY, deployment("ssa", 2, "")).body();
        assertThat(dropped.at("/metadata/labels/team").isMissingNode()).isTrue();
        assertThat(dropped.at("/metadata/labels/app").asText()).isEqualTo("web");
    }

    @Test
    void applyWithoutFieldManagerIs400AndUpdatesRecordTheUserAgent() {
        assertThat(http.patch(DEPLOY + "/nomgr", APPLY, deployment("nomgr", 1, "")).code()).isEqualTo(400);
        JsonNode cm = http.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"mf\"},\"data\":{\"a\":\"b\"}}").body();
        JsonNode e = cm.at("/metadata/managedFields/0");
        assertThat(e.path("manager").asText()).isEqualTo("Java-http-client");
        assertThat(e.path("operation").asText()).isEqualTo("Update");
        assertThat(e.at("/fieldsV1/f:data/f:a").isObject()).isTrue();
    }
}
