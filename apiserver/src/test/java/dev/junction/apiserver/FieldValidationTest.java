package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-side field validation (KEP-2885, {@code fieldValidation=Strict|Warn|Ignore}) and decode
 * errors: 400 for unknown fields under Strict, a Warning header under Warn, 400 for malformed
 * JSON/YAML and for values of the wrong type; nothing is stored after a 400.
 */
class FieldValidationTest {
    private static final String SVC = "/api/v1/namespaces/default/services";

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

    @Test
    void strictRejectsUnknownFieldsWith400AndStoresNothing() {
        TestHttp.Response r = http.post(SVC + "?fieldValidation=Strict",
                "{\"metadata\":{\"name\":\"strict1\"},\"spec\":{\"ports\":[{\"port\":80,\"portz\":1}],\"selectr\":{}}}");
        assertThat(r.code()).isEqualTo(400);
        assertThat(r.body().path("reason").asText()).isEqualTo("BadRequest");
        assertThat(r.body().path("message").asText()).isEqualTo(
                "strict decoding error: unknown field \"spec.ports[0].portz\", unknown field \"spec.selectr\"");
        assertThat(http.get(SVC + "/strict1").code()).isEqualTo(404);
    }

    @Test
    void strictAppliesToPatchBodiesToo() {
        assertThat(http.post(SVC, "{\"metadata\":{\"name\":\"strict2\"},\"spec\":{\"ports\":[{\"port\":80}]}}").code())
                .isEqualTo(201);
        TestHttp.Response r = http.patch(SVC + "/strict2?fieldValidation=Strict", "application/merge-patch+json",
                "{\"spec\":{\"sessionAfinity\":\"ClientIP\"}}");
        assertThat(r.code()).isEqualTo(400);
        assertThat(r.body().path("message").asText()).contains("unknown field \"spec.sessionAfinity\"");
        TestHttp.Response smp = http.patch(SVC + "/strict2?fieldValidation=Strict", "application/strategic-merge-patch+json",
                "{\"$setElementOrder/ports\":[{\"port\":80}],\"spec\":{\"ports\":[{\"port\":80,\"name\":\"web\"}]}}");
        assertThat(smp.code()).as(smp.body().toString()).isEqualTo(200);
    }

    @Test
    void warnIsTheDefaultAndDropsTheField() throws Exception {
        HttpResponse<String> r = http.client().send(HttpRequest.newBuilder(URI.create(http.base() + SVC))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"metadata\":{\"name\":\"warn1\"},\"spec\":{\"ports\":[{\"port\":80}],\"colour\":\"blue\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().allValues("Warning")).containsExactly("299 - \"unknown field \\\"spec.colour\\\"\"");
        assertThat(http.get(SVC + "/warn1").body().at("/spec/colour").isMissingNode()).isTrue();
    }

    @Test
    void ignoreDropsSilently() throws Exception {
        HttpResponse<String> r = http.client().send(HttpRequest.newBuilder(URI.create(http.base() + SVC + "?fieldValidation=Ignore"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"metadata\":{\"name\":\"ignore1\",\"colour\":\"x\"},\"spec\":{\"ports\":[{\"port\":80}]}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().allValues("Warning")).isEmpty();
        assertThat(http.get(SVC + "/ignore1").body().at("/metadata/colour").isMissingNode()).isTrue();
    }

    @Test
    void malformedJsonAndYamlAre400() {
        TestHttp.Response json = http.post(SVC, "{\"metadata\":{\"name\":\"bad\"");
        assertThat(json.code()).isEqualTo(400);
        assertThat(json.body().path("reason").asText()).isEqualTo("BadRequest");
        TestHttp.Response yaml = http.send(HttpRequest.newBuilder(URI.create(http.base() + SVC))
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString("metadata:\n  name: [bad\nspec: {")));
        assertThat(yaml.code()).isEqualTo(400);
        assertThat(http.post(SVC, "[1,2]").code()).isEqualTo(400);
    }

    @Test
    void wrongValueTypesAre400() {
        TestHttp.Response r = http.post(SVC, "{\"metadata\":{\"name\":\"typed\"},\"spec\":{\"ports\":[{\"port\":\"eighty\"}]}}");
        assertThat(r.code()).isEqualTo(400);
        assertThat(r.body().path("message").asText()).isEqualTo("Service in version \"v1\" cannot be handled as a Service:"
                + " json: cannot unmarshal string into Go struct field spec.ports[0].port of type int32");
        TestHttp.Response labels = http.post(SVC, "{\"metadata\":{\"name\":\"typed\",\"labels\":{\"v\":1.5}},\"spec\":{\"ports\":[{\"port\":80}]}}");
        assertThat(labels.code()).isEqualTo(400);
        assertThat(http.get(SVC + "/typed").code()).isEqualTo(404);
    }

    @Test
    void unsupportedFieldValidationValueIs400() {
        assertThat(http.post(SVC + "?fieldValidation=Loud", "{\"metadata\":{\"name\":\"x1\"},\"spec\":{\"ports\":[{\"port\":80}]}}")
                .code()).isEqualTo(400);
    }
}
