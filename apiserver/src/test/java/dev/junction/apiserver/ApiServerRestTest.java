package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** REST semantics over a real loopback socket: CRUD, server-set metadata, 409, 422, defaults, selectors. */
class ApiServerRestTest {
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
    void bootstrapCreatesSystemNamespacesAndKubernetesService() {
        for (String ns : Bootstrap.SYSTEM_NAMESPACES) {
            assertThat(http.get("/api/v1/namespaces/" + ns).code()).isEqualTo(200);
        }
        JsonNode svc = http.get("/api/v1/namespaces/default/services/kubernetes").body();
        assertThat(svc.at("/spec/clusterIP").asText()).isEqualTo("10.96.0.1");
        assertThat(svc.at("/spec/ports/0/name").asText()).isEqualTo("https");
        assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(443);
        assertThat(svc.at("/spec/ports/0/targetPort").asInt()).isEqualTo(6443);
        JsonNode ep = http.get("/api/v1/namespaces/default/endpoints/kubernetes").body();
        assertThat(ep.at("/subsets/0/addresses/0/ip").asText()).isEqualTo("172.30.0.10");
        JsonNode slice = http.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes").body();
        assertThat(slice.at("/metadata/labels/kubernetes.io~1service-name").asText()).isEqualTo("kubernetes");
        assertThat(slice.at("/endpoints/0/addresses/0").asText()).isEqualTo("172.30.0.10");
    }

    @Test
    void createGetListUpdateDeleteWithServerSetMetadata() {
        TestHttp.Response created = http.post("/api/v1/namespaces/default/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\",\"labels\":{\"app\":\"a\"}},\"data\":{\"k\":\"v\"}}");
        assertThat(created.code()).isEqualTo(201);
        JsonNode meta = created.body().path("metadata");
        assertThat(meta.path("uid").asText()).isNotEmpty();
        assertThat(meta.path("creationTimestamp").asText()).endsWith("Z");
        long rv = meta.path("resourceVersion").asLong();
        assertThat(rv).isPositive();

        assertThat(http.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"cm1\"}}").body()
                .path("reason").asText()).isEqualTo("AlreadyExists");

        JsonNode got = http.get("/api/v1/namespaces/default/configmaps/cm1").body();
        assertThat(got.at("/data/k").asText()).isEqualTo("v");
        assertThat(http.get("/api/v1/configmaps").body().path("items").size()).isGreaterThanOrEqualTo(1);
        assertThat(http.get("/api/v1/namespaces/default/configmaps?labelSelector=app%3Da").body().path("items").size()).isEqualTo(1);
        assertThat(http.get("/api/v1/namespaces/default/configmaps?labelSelector=app%20notin%20(a)").body().path("items")
                .findValuesAsText("name")).doesNotContain("cm1");

        String update = "{\"metadata\":{\"name\":\"cm1\",\"resourceVersion\":\"" + rv + "\"},\"data\":{\"k\":\"v2\"}}";
        TestHttp.Response updated = http.put("/api/v1/namespaces/default/configmaps/cm1", update);
        assertThat(updated.code()).isEqualTo(200);
        assertThat(updated.body().at("/metadata/resourceVersion").asLong()).isGreaterThan(rv);
        assertThat(updated.body().at("/metadata/uid").asText()).isEqualTo(meta.path("uid").asText());

        TestHttp.Response stale = http.put("/api/v1/namespaces/default/configmaps/cm1", update);
        assertThat(stale.code()).isEqualTo(409);
        assertThat(stale.body().path("kind").asText()).isEqualTo("Status");
        assertThat(stale.body().path("reason").asText()).isEqualTo("Conflict");
        assertThat(stale.body().path("message").asText()).startsWith("Operation cannot be fulfilled on configmaps \"cm1\"");

        TestHttp.Response merged = http.patch("/api/v1/namespaces/default/configmaps/cm1", "application/merge-patch+json",
                "{\"data\":{\"x\":\"y\"}}");
        assertThat(merged.body().path("data").size()).isEqualTo(2);
        TestHttp.Response jsonPatched = http.patch("/api/v1/namespaces/default/configmaps/cm1", "application/json-patch+json",
                "[{\"op\":\"remove\",\"path\":\"/data/k\"}]");
        assertThat(jsonPatched.body().path("data").has("k")).isFalse();

        assertThat(http.delete("/api/v1/namespaces/default/configmaps/cm1").code()).isEqualTo(200);
        TestHttp.Response gone = http.get("/api/v1/namespaces/default/configmaps/cm1");
        assertThat(gone.code()).isEqualTo(404);
        assertThat(gone.body().path("status").asText()).isEqualTo("Failure");
        assertThat(gone.body().path("reason").asText()).isEqualTo("NotFound");
        assertThat(gone.body().path("message").asText()).isEqualTo("configmaps \"cm1\" not found");
        assertThat(gone.body().at("/details/kind").asText()).isEqualTo("configmaps");
    }

    @Test
    void generateNameAndGenerationBumpOnSpecChangeOnly() {
        JsonNode d = http.post("/apis/apps/v1/namespaces/default/deployments", deployment("")).body();
        String name = d.at("/metadata/name").asText();
        assertThat(name).startsWith("web-").hasSize(9);
        assertThat(d.at("/metadata/generation").asLong()).isEqualTo(1);
        assertThat(d.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(d.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
        assertThat(d.at("/spec/strategy/rollingUpdate/maxSurge").asText()).isEqualTo("25%");
        assertThat(d.at("/spec/revisionHistoryLimit").asInt()).isEqualTo(10);
        assertThat(d.at("/spec/progressDeadlineSeconds").asInt()).isEqualTo(600);
        assertThat(d.at("/spec/template/spec/restartPolicy").asText()).isEqualTo("Always");
        String path = "/apis/apps/v1/namespaces/default/deployments/" + name;
        JsonNode labelled = http.patch(path, "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}").body();
        assertThat(labelled.at("/metadata/generation").asLong()).isEqualTo(1);
        JsonNode status = http.patch(path + "/status", "application/merge-patch+json", "{\"status\":{\"replicas\":1}}").body();
        assertThat(status.at("/metadata/generation").asLong()).isEqualTo(1);
        assertThat(status.at("/status/replicas").asInt()).isEqualTo(1);
        JsonNode scaled = http.patch(path + "/scale", "application/merge-patch+json", "{\"spec\":{\"replicas\":3}}").body();
        assertThat(scaled.path("kind").asText()).isEqualTo("Scale");
        JsonNode after = http.get(path).body();
        assertThat(after.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(after.at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(after.at("/status/replicas").asInt()).isEqualTo(1);
        // a PUT of the main resource cannot change status
        ((com.fasterxml.jackson.databind.node.ObjectNode) after).putObject("status").put("replicas", 9);
        assertThat(http.put(path, Json.string(after)).body().at("/status/replicas").asInt()).isEqualTo(1);
    }

    @Test
    void podDefaultsAndFieldSelectors() {
        String pod = "{\"metadata\":{\"name\":\"p1\"},\"spec\":{\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\","
                + "\"ports\":[{\"containerPort\":80}]}]}}";
        JsonNode p = http.post("/api/v1/namespaces/default/pods", pod).body();
        assertThat(p.at("/spec/restartPolicy").asText()).isEqualTo("Always");
        assertThat(p.at("/spec/dnsPolicy").asText()).isEqualTo("ClusterFirst");
        assertThat(p.at("/spec/terminationGracePeriodSeconds").asInt()).isEqualTo(30);
        assertThat(p.at("/spec/schedulerName").asText()).isEqualTo("default-scheduler");
        assertThat(p.at("/spec/enableServiceLinks").asBoolean()).isTrue();
        assertThat(p.at("/spec/containers/0/ports/0/protocol").asText()).isEqualTo("TCP");
        assertThat(p.at("/status/phase").asText()).isEqualTo("Pending");
        assertThat(http.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a").body().path("items").size()).isEqualTo(1);
        assertThat(http.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-b").body().path("items").size()).isZero();
        assertThat(http.get("/api/v1/pods?fieldSelector=status.phase%3DPending,metadata.name%3Dp1").body().path("items").size())
                .isEqualTo(1);
        assertThat(http.get("/api/v1/pods?fieldSelector=spec.bogus%3Dx").code()).isEqualTo(400);
    }

    @Test
    void namespacedCreateNeedsNamespaceAndNamespaceDeletionRemovesContents() {
        TestHttp.Response missing = http.post("/api/v1/namespaces/nope/configmaps", "{\"metadata\":{\"name\":\"a\"}}");
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.body().path("message").asText()).isEqualTo("namespaces \"nope\" not found");

        assertThat(http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"team\"}}").code()).isEqualTo(201);
        assertThat(http.post("/api/v1/namespaces/team/services",
                "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":80}]}}").code()).isEqualTo(201);
        String ip = http.get("/api/v1/namespaces/team/services/s").body().at("/spec/clusterIP").asText();
        assertThat(http.delete("/api/v1/namespaces/team").code()).isEqualTo(200);
        assertThat(http.get("/api/v1/namespaces/team/services/s").code()).isEqualTo(404);
        // the address was released: it can be requested again
        assertThat(http.post("/api/v1/namespaces/default/services",
                "{\"metadata\":{\"name\":\"reuse\"},\"spec\":{\"clusterIP\":\"" + ip + "\",\"ports\":[{\"port\":80}]}}").code())
                .isEqualTo(201);
    }

    @Test
    void serviceDefaultsAndAllocation() {
        JsonNode s = http.post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"np\"},\"spec\":{\"type\":\"NodePort\","
                + "\"ports\":[{\"name\":\"http\",\"port\":80},{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\",\"nodePort\":30053}]}}").body();
        assertThat(s.at("/spec/sessionAffinity").asText()).isEqualTo("None");
        assertThat(s.at("/spec/ipFamilies/0").asText()).isEqualTo("IPv4");
        assertThat(s.at("/spec/ipFamilyPolicy").asText()).isEqualTo("SingleStack");
        assertThat(s.at("/spec/internalTrafficPolicy").asText()).isEqualTo("Cluster");
        assertThat(s.at("/spec/externalTrafficPolicy").asText()).isEqualTo("Cluster");
        assertThat(s.at("/spec/ports/0/protocol").asText()).isEqualTo("TCP");
        assertThat(s.at("/spec/ports/0/targetPort").asInt()).isEqualTo(80);
        assertThat(s.at("/spec/ports/0/nodePort").asInt()).isBetween(30000, 32767);
        assertThat(s.at("/spec/ports/1/nodePort").asInt()).isEqualTo(30053);
        assertThat(s.at("/spec/clusterIPs/0").asText()).isEqualTo(s.at("/spec/clusterIP").asText()).startsWith("10.");

        TestHttp.Response taken = http.post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"np2\"},\"spec\":"
                + "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30053}]}}");
        assertThat(taken.code()).isEqualTo(422);
        assertThat(taken.body().at("/details/causes/0/field").asText()).isEqualTo("spec.ports[0].nodePort");
        assertThat(taken.body().at("/details/causes/0/message").asText()).contains("provided port is already allocated");

        // type change to ClusterIP releases the node ports
        JsonNode back = http.patch("/api/v1/namespaces/default/services/np", "application/merge-patch+json",
                "{\"spec\":{\"type\":\"ClusterIP\",\"externalTrafficPolicy\":null}}").body();
        assertThat(back.at("/spec/ports/1/nodePort").isMissingNode()).isTrue();
        assertThat(http.post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"np2\"},\"spec\":"
                + "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30053}]}}").code()).isEqualTo(201);

        TestHttp.Response changedIp = http.patch("/api/v1/namespaces/default/services/np", "application/merge-patch+json",
                "{\"spec\":{\"clusterIP\":\"10.96.9.9\",\"clusterIPs\":[\"10.96.9.9\"]}}");
        assertThat(changedIp.code()).isEqualTo(422);
        assertThat(changedIp.body().at("/details/causes/0/field").asText()).isEqualTo("spec.clusterIPs[0]");
        assertThat(changedIp.body().at("/details/causes/0/message").asText()).endsWith("may not change once set");

        JsonNode headless = http.post("/api/v1/namespaces/default/services",
                "{\"metadata\":{\"name\":\"hl\"},\"spec\":{\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}}").body();
        assertThat(headless.at("/spec/clusterIPs/0").asText()).isEqualTo("None");
        JsonNode lb = http.post("/api/v1/namespaces/default/services",
                "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80}]}}").body();
        assertThat(lb.at("/spec/allocateLoadBalancerNodePorts").asBoolean()).isTrue();
    }

    @Test
    void invalidServicesAreRejectedWithUpstreamFieldPathsAndNotStored() {
        assertInvalid("bad-name", "{\"ports\":[{\"name\":\"123_abc\",\"port\":80}]}", "spec.ports[0].name",
                "Invalid value: \"123_abc\": a lowercase RFC 1123 label must consist of");
        assertInvalid("two-unnamed", "{\"ports\":[{\"port\":80},{\"port\":81}]}", "spec.ports[1].name", "Required value");
        assertInvalid("np-range", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":40000}]}", "spec.ports[0].nodePort",
                "Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767");
        assertInvalid("ip-range", "{\"clusterIP\":\"10.0.0.5\",\"ports\":[{\"port\":80}]}", "spec.clusterIPs[0]",
                "the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12");
        assertInvalid("Upper", "{\"ports\":[{\"port\":80}]}", "metadata.name", "a DNS-1035 label must consist of");
    }

    private static void assertInvalid(String name, String spec, String field, String message) {
        TestHttp.Response r = http.post("/api/v1/namespaces/default/services",
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + "}");
        assertThat(r.code()).isEqualTo(422);
        assertThat(r.body().path("kind").asText()).isEqualTo("Status");
        assertThat(r.body().path("apiVersion").asText()).isEqualTo("v1");
        assertThat(r.body().path("status").asText()).isEqualTo("Failure");
        assertThat(r.body().path("reason").asText()).isEqualTo("Invalid");
        assertThat(r.body().path("code").asInt()).isEqualTo(422);
        assertThat(r.body().path("message").asText()).startsWith("Service \"" + name + "\" is invalid: ").contains(field);
        assertThat(r.body().at("/details/name").asText()).isEqualTo(name);
        assertThat(r.body().at("/details/kind").asText()).isEqualTo("Service");
        assertThat(r.body().at("/details/causes").findValuesAsText("field")).contains(field);
        assertThat(r.body().at("/details/causes").findValuesAsText("message")).anySatisfy(m -> assertThat(m).contains(message));
        assertThat(http.get("/api/v1/namespaces/default/services/" + name).code()).isEqualTo(404);
    }

    @Test
    void applyPatchCreatesThenMerges() {
        String path = "/api/v1/namespaces/default/configmaps/applied?fieldManager=test&force=true";
        TestHttp.Response created = http.patch(path, "application/apply-patch+yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: \"1\"\n");
        assertThat(created.code()).as(created.body().toString()).isEqualTo(200);
        assertThat(created.body().at("/metadata/uid").asText()).isNotEmpty();
        // another manager's apply merges with the first one's fields
        TestHttp.Response merged = http.patch(path.replace("fieldManager=test", "fieldManager=other"), "application/apply-patch+yaml",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"},\"data\":{\"b\":\"2\"}}");
        assertThat(merged.body().path("data").size()).isEqualTo(2);
        // the first manager no longer applying "a" removes it (nobody else owns it), as upstream SSA does
        TestHttp.Response dropped = http.patch(path, "application/apply-patch+yaml",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"},\"data\":{\"c\":\"3\"}}");
        assertThat(dropped.body().path("data").fieldNames()).toIterable().containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void bindingSetsNodeNameOnceAndSecretStringDataIsMerged() {
        http.post("/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"bound\"},\"spec\":{\"containers\":"
                + "[{\"name\":\"c\",\"image\":\"x\"}]}}");
        String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"bound\"},"
                + "\"target\":{\"kind\":\"Node\",\"name\":\"node-z\"}}";
        assertThat(http.post("/api/v1/namespaces/default/pods/bound/binding", binding).code()).isEqualTo(201);
        assertThat(http.get("/api/v1/namespaces/default/pods/bound").body().at("/spec/nodeName").asText()).isEqualTo("node-z");
        assertThat(http.post("/api/v1/namespaces/default/pods/bound/binding", binding).code()).isEqualTo(409);

        JsonNode secret = http.post("/api/v1/namespaces/default/secrets",
                "{\"metadata\":{\"name\":\"sd\"},\"stringData\":{\"user\":\"admin\"}}").body();
        assertThat(secret.at("/data/user").asText()).isEqualTo("YWRtaW4=");
        assertThat(secret.has("stringData")).isFalse();
    }

    @Test
    void deleteCascadesToOwnedObjectsUnlessOrphaned() {
        String uid = http.post("/apis/apps/v1/namespaces/default/deployments", deployment("owner")).body().at("/metadata/uid").asText();
        String owned = "{\"metadata\":{\"name\":\"%s\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                + "\"name\":\"owner\",\"uid\":\"" + uid + "\",\"controller\":true}]}}";
        http.post("/api/v1/namespaces/default/configmaps", owned.formatted("owned-1"));
        http.post("/api/v1/namespaces/default/configmaps", owned.formatted("owned-2"));
        assertThat(http.delete("/apis/apps/v1/namespaces/default/deployments/owner").code()).isEqualTo(200);
        assertThat(http.get("/api/v1/namespaces/default/configmaps/owned-1").code()).isEqualTo(404);
        assertThat(http.get("/api/v1/namespaces/default/configmaps/owned-2").code()).isEqualTo(404);

        String uid2 = http.post("/apis/apps/v1/namespaces/default/deployments", deployment("owner2")).body().at("/metadata/uid").asText();
        http.post("/api/v1/namespaces/default/configmaps", owned.replace(uid, uid2).formatted("kept"));
        assertThat(http.delete("/apis/apps/v1/namespaces/default/deployments/owner2?propagationPolicy=Orphan").code()).isEqualTo(200);
        assertThat(http.get("/api/v1/namespaces/default/configmaps/kept").code()).isEqualTo(200);
    }

    @Test
    void endpointSliceValidation() {
        TestHttp.Response r = http.post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                "{\"metadata\":{\"name\":\"bad\"},\"endpoints\":[{\"addresses\":[]}]}");
        assertThat(r.code()).isEqualTo(422);
        assertThat(r.body().at("/details/causes").findValuesAsText("field")).contains("addressType", "endpoints[0].addresses");
    }

    @Test
    void deleteCollectionHonoursSelectors() {
        http.post("/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"s1\",\"labels\":{\"batch\":\"x\"}}}");
        http.post("/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"s2\",\"labels\":{\"batch\":\"x\"}}}");
        http.post("/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"s3\"}}");
        TestHttp.Response r = http.delete("/api/v1/namespaces/default/secrets?labelSelector=batch%3Dx");
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().path("items").findValuesAsText("name")).containsExactlyInAnyOrder("s1", "s2");
        assertThat(http.get("/api/v1/namespaces/default/secrets").body().path("items").findValuesAsText("name")).contains("s3")
                .doesNotContain("s1", "s2");
        assertThat(http.get("/api/v1/namespaces/default/secrets/s3").body().path("type").asText()).isEqualTo("Opaque");
    }

    @Test
    void discoveryVersionHealthAndTables() {
        assertThat(http.get("/api").body().path("versions").get(0).asText()).isEqualTo("v1");
        assertThat(http.get("/apis").body().path("groups").findValuesAsText("name"))
                .contains("apps", "discovery.k8s.io", "networking.k8s.io");
        JsonNode core = http.get("/api/v1").body();
        assertThat(core.path("resources").findValuesAsText("name")).contains("services", "services/status", "pods", "nodes/status");
        assertThat(http.get("/apis/apps/v1").body().path("resources").findValuesAsText("name")).contains("deployments/scale");
        assertThat(http.get("/version").body().path("gitVersion").asText()).isEqualTo("v1.33.0");
        assertThat(http.get("/healthz").code()).isEqualTo(200);
        assertThat(http.get("/readyz").code()).isEqualTo(200);
        TestHttp.Response table = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                http.base() + "/api/v1/namespaces/default/services")).header("Accept",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
        assertThat(table.body().path("kind").asText()).isEqualTo("Table");
        assertThat(table.body().path("columnDefinitions").findValuesAsText("name"))
                .containsSequence("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
        assertThat(http.get("/api/v1/namespaces/default/bogus").code()).isEqualTo(404);
        java.net.http.HttpResponse<String> metrics = sendText("/metrics");
        assertThat(metrics.body()).contains("apiserver_storage_objects{resource=\"services\"}",
                "apiserver_request_total{verb=\"LIST\",resource=\"services\",code=\"200\"}");
    }

    private static java.net.http.HttpResponse<String> sendText(String path) {
        try {
            return http.client().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.base() + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String deployment(String name) {
        return "{\"metadata\":{" + (name.isEmpty() ? "\"generateName\":\"web-\"" : "\"name\":\"" + name + "\"") + "},"
                + "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"traefik/whoami\"}]}}}}";
    }
}
