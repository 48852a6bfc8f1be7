package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd3 storage backend against a real throw-away etcd: CRUD, watch and 410, upstream's key
 * layout and resourceVersion = mod_revision, and two API servers on one etcd (a write through one
 * is seen by a watch on the other, conflicting writes get 409, ClusterIPs are never handed out
 * twice, a restarted server rebuilds from etcd).
 */
class EtcdBackendTest {
    @TempDir
    static Path dir;
    static TestEtcd etcd;
    static ApiServer a;
    static ApiServer b;
    static TestHttp httpA;
    static TestHttp httpB;

    @BeforeAll
    static void start() throws Exception {
        etcd = TestEtcd.start();
        a = server(5);
        b = server(10_000);
        httpA = new TestHttp(a.url());
        httpB = new TestHttp(b.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    static ApiServer server(int window) {
        return ApiServer.builder().storageBackend("etcd3").etcdServers(List.of(etcd.url())).bindAddress("127.0.0.1").port(0)
                .advertiseAddress("127.0.0.1").watchWindow(window).build().start();
    }

    @Test
    void crudUsesUpstreamKeysAndModRevisionAsResourceVersion() throws Exception {
        httpA.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"crud\"}}");
        TestHttp.Response created = httpA.post("/api/v1/namespaces/crud/services",
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
        assertThat(created.code()).isEqualTo(201);
        long rv = created.body().at("/metadata/resourceVersion").asLong();
        try (Client c = Client.builder().endpoints(etcd.url()).build()) {
            KeyValue kv = c.getKVClient().get(bytes("/registry/services/specs/crud/web")).get(10, TimeUnit.SECONDS).getKvs().get(0);
            assertThat(kv.getModRevision()).isEqualTo(rv);
            assertThat(kv.getCreateRevision()).isEqualTo(rv);
            assertThat(Json.MAPPER.readTree(kv.getValue().getBytes()).at("/metadata/resourceVersion").isMissingNode()).isTrue();
            String ip = created.body().at("/spec/clusterIP").asText();
            assertThat(c.getKVClient().get(bytes("/registry/ipaddresses/" + ip)).get(10, TimeUnit.SECONDS).getCount()).isEqualTo(1);
            assertThat(c.getKVClient().get(bytes("/registry/namespaces/crud")).get(10, TimeUnit.SECONDS).getCount()).isEqualTo(1);
        }
        // read-your-write on the same server, then update with a stale resourceVersion → 409
        assertThat(httpA.get("/api/v1/namespaces/crud/services/web").body().at("/metadata/resourceVersion").asLong()).isEqualTo(rv);
        TestHttp.Response patched = httpA.patch("/api/v1/namespaces/crud/services/web", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"v\":\"2\"}}}");
        assertThat(patched.code()).isEqualTo(200);
        assertThat(patched.body().at("/metadata/resourceVersion").asLong()).isGreaterThan(rv);
        TestHttp.Response stale = httpA.put("/api/v1/namespaces/crud/services/web", created.body().toString());
        assertThat(stale.code()).isEqualTo(409);
        assertThat(httpA.post("/api/v1/namespaces/crud/services",
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{\"port\":80}]}}").code()).isEqualTo(409);
        List<JsonNode> events = readEvents(httpA, "/api/v1/namespaces/crud/services?watch=true&timeoutSeconds=2&resourceVersion=" + rv, 2,
                () -> httpA.delete("/api/v1/namespaces/crud/services/web"));
        assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("MODIFIED", "DELETED");
        try (Client c = Client.builder().endpoints(etcd.url()).build()) {
            assertThat(c.getKVClient().get(bytes("/registry/services/specs/crud/web")).get(10, TimeUnit.SECONDS).getCount()).isZero();
            String ip = created.body().at("/spec/clusterIP").asText();
            assertThat(c.getKVClient().get(bytes("/registry/ipaddresses/" + ip)).get(10, TimeUnit.SECONDS).getCount()).isZero();
        }
    }

    @Test
    void watchFromARevisionOlderThanTheWindowGets410() {
        httpA.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"old\"}}");
        long first = httpA.post("/api/v1/namespaces/old/configmaps", "{\"metadata\":{\"name\":\"c0\"}}").body()
                .at("/metadata/resourceVersion").asLong();
        for (int i = 1; i <= 8; i++) {
            assertThat(httpA.post("/api/v1/namespaces/old/configmaps", "{\"metadata\":{\"name\":\"c" + i + "\"}}").code()).isEqualTo(201);
        }
        TestHttp.Response r = httpA.get("/api/v1/namespaces/old/configmaps?watch=true&resourceVersion=" + first);
        assertThat(r.code()).isEqualTo(410);
        assertThat(r.body().path("reason").asText()).isEqualTo("Expired");
    }

    @Test
    void writeThroughOneServerIsSeenByWatchAndGetOnTheOther() throws Exception {
        httpA.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"two\"}}");
        long rv = httpB.get("/api/v1/namespaces/two/configmaps").body().at("/metadata/resourceVersion").asLong();
        List<JsonNode> events = readEvents(httpB, "/api/v1/namespaces/two/configmaps?watch=true&timeoutSeconds=5&resourceVersion=" + rv, 2,
                () -> {
                    httpA.post("/api/v1/namespaces/two/configmaps", "{\"metadata\":{\"name\":\"x\"},\"data\":{\"k\":\"1\"}}");
                    httpA.patch("/api/v1/namespaces/two/configmaps/x", "application/merge-patch+json", "{\"data\":{\"k\":\"2\"}}");
                });
        assertThat(events).extracting(e -> e.path("type").asText() + " " + e.at("/object/data/k").asText())
                .containsExactly("ADDED 1", "MODIFIED 2");
        awaitOn(httpB, "/api/v1/namespaces/two/configmaps/x", "2");
        // both servers read the object at the same revision; the second writer loses with 409
        JsonNode seenByA = httpA.get("/api/v1/namespaces/two/configmaps/x").body();
        JsonNode seenByB = httpB.get("/api/v1/namespaces/two/configmaps/x").body();
        assertThat(seenByA.at("/metadata/resourceVersion")).isEqualTo(seenByB.at("/metadata/resourceVersion"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) seenByA.get("data")).put("k", "from-a");
        ((com.fasterxml.jackson.databind.node.ObjectNode) seenByB.get("data")).put("k", "from-b");
        assertThat(httpA.put("/api/v1/namespaces/two/configmaps/x", seenByA.toString()).code()).isEqualTo(200);
        TestHttp.Response lost = httpB.put("/api/v1/namespaces/two/configmaps/x", seenByB.toString());
        assertThat(lost.code()).isEqualTo(409);
        assertThat(lost.body().path("reason").asText()).isEqualTo("Conflict");
        awaitOn(httpB, "/api/v1/namespaces/two/configmaps/x", "from-a");
    }

    @Test
    void concurrentServiceCreatesThroughBothServersNeverShareAClusterIpOrNodePort() throws Exception {
        httpA.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"alloc\"}}");
        awaitNamespace(httpB, "alloc");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<TestHttp.Response>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            TestHttp via = i % 2 == 0 ? httpA : httpB;
            String body = "{\"metadata\":{\"name\":\"s" + i + "\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}";
            results.add(pool.submit(() -> via.post("/api/v1/namespaces/alloc/services", body)));
        }
        Set<String> ips = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        int created = 0;
        for (Future<TestHttp.Response> f : results) {
            TestHttp.Response r = f.get(60, TimeUnit.SECONDS);
            if (r.code() == 201) {
                created++;
                assertThat(ips.add(r.body().at("/spec/clusterIP").asText())).as("duplicate ClusterIP in %s", r.body()).isTrue();
                assertThat(ports.add(r.body().at("/spec/ports/0/nodePort").asInt())).as("duplicate NodePort").isTrue();
            } else {
                assertThat(r.code()).as(r.body().toString()).isEqualTo(409);
            }
        }
        pool.shutdown();
        assertThat(created).isGreaterThanOrEqualTo(35);
    }

    @Test
    void aRestartedServerRebuildsItsCacheFromEtcd() throws Exception {
        httpB.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"restart\"}}");
        TestHttp.Response cm = httpB.post("/api/v1/namespaces/restart/configmaps", "{\"metadata\":{\"name\":\"keep\"},\"data\":{\"k\":\"v\"}}");
        assertThat(cm.code()).isEqualTo(201);
        try (ApiServer c = server(100)) {
            TestHttp httpC = new TestHttp(c.url());
            JsonNode got = httpC.get("/api/v1/namespaces/restart/configmaps/keep").body();
            assertThat(got.at("/data/k").asText()).isEqualTo("v");
            assertThat(got.at("/metadata/resourceVersion")).isEqualTo(cm.body().at("/metadata/resourceVersion"));
            assertThat(httpC.get("/api/v1/namespaces/default/services/kubernetes").code()).isEqualTo(200);
        }
    }

    private static void awaitOn(TestHttp http, String path, String value) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (http.get(path).body().at("/data/k").asText().equals(value)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " never showed k=" + value);
    }

    private static void awaitNamespace(TestHttp http, String ns) throws InterruptedException {
        for (int i = 0; i < 100 && http.get("/api/v1/namespaces/" + ns).code() != 200; i++) {
            Thread.sleep(50);
        }
    }

    /** Opens a watch, runs {@code action}, and returns the first {@code count} events. */
    private static List<JsonNode> readEvents(TestHttp http, String path, int count, Runnable action) throws Exception {
        HttpResponse<java.io.InputStream> res = http.client().send(HttpRequest.newBuilder(URI.create(http.base() + path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        action.run();
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            String line;
            while (out.size() < count && (line = r.readLine()) != null) {
                JsonNode ev = Json.MAPPER.readTree(line);
                if (!ev.path("type").asText().equals("BOOKMARK")) {
                    out.add(ev);
                }
            }
        }
        return out;
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
