package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledged writes survive a crash: a second instance on the same data dir sees everything. */
class ApiServerDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveACrashAndRevisionsKeepIncreasing() throws Exception {
        ApiServer first = ApiServer.builder().dataDir(dir).bindAddress("127.0.0.1").port(0).advertiseAddress("127.0.0.1").build().start();
        ApiServer second = null;
        try {
            TestHttp a = new TestHttp(first.url());
            JsonNode svc = a.post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"durable\"},\"spec\":"
                    + "{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}").body();
            String ip = svc.at("/spec/clusterIP").asText();
            int nodePort = svc.at("/spec/ports/0/nodePort").asInt();
            long rvAfterService = svc.at("/metadata/resourceVersion").asLong();
            a.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"c1\"},\"data\":{\"k\":\"v\"}}");
            long lastRv = a.patch("/api/v1/namespaces/default/configmaps/c1", "application/merge-patch+json",
                    "{\"data\":{\"k\":\"v2\"}}").body().at("/metadata/resourceVersion").asLong();
            assertThat(Files.exists(dir.resolve("state.db"))).isTrue();

            // crash: the first instance is never closed; a new one opens the same directory
            second = ApiServer.builder().dataDir(dir).bindAddress("127.0.0.1").port(0).advertiseAddress("127.0.0.1").build().start();
            TestHttp b = new TestHttp(second.url());
            assertThat(b.get("/api/v1/namespaces/default/services/durable").body().at("/spec/clusterIP").asText()).isEqualTo(ip);
            assertThat(b.get("/api/v1/namespaces/default/configmaps/c1").body().at("/data/k").asText()).isEqualTo("v2");
            assertThat(b.get("/api/v1/namespaces/default/configmaps").body().at("/metadata/resourceVersion").asLong())
                    .isEqualTo(lastRv);

            // allocations were rebuilt from storage
            TestHttp.Response sameIp = b.post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"dup\"},\"spec\":"
                    + "{\"clusterIP\":\"" + ip + "\",\"ports\":[{\"port\":80}]}}");
            assertThat(sameIp.code()).isEqualTo(422);
            assertThat(sameIp.body().at("/details/causes/0/message").asText()).contains("provided IP is already allocated");
            TestHttp.Response samePort = b.post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"dup\"},\"spec\":"
                    + "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + nodePort + "}]}}");
            assertThat(samePort.code()).isEqualTo(422);

            // the revision counter continues
            long next = b.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"c2\"}}").body()
                    .at("/metadata/resourceVersion").asLong();
            assertThat(next).isEqualTo(lastRv + 1);

            // a watch from before the restart is served from the SQLite change log
            HttpResponse<InputStream> res = b.client().send(HttpRequest.newBuilder(URI.create(b.base()
                    + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=2&resourceVersion=" + rvAfterService)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                assertThat(Json.MAPPER.readTree(r.readLine()).path("type").asText()).isEqualTo("ADDED");
                assertThat(Json.MAPPER.readTree(r.readLine()).path("type").asText()).isEqualTo("MODIFIED");
                JsonNode third = Json.MAPPER.readTree(r.readLine());
                assertThat(third.path("type").asText()).isEqualTo("ADDED");
                assertThat(third.at("/object/metadata/name").asText()).isEqualTo("c2");
            }
        } finally {
            if (second != null) {
                second.close();
            }
            first.close();
        }
    }
}
