package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The invalid-manifest corpus ({@code src/test/resources/invalid/*.yaml}, cases drawn from upstream
 * {@code pkg/apis/core/validation/validation_test.go}, {@code pkg/apis/networking/validation/validation_test.go},
 * {@code pkg/apis/discovery/validation/validation_test.go} and {@code pkg/apis/apps/validation/validation_test.go}):
 * every manifest is refused with 422 Invalid naming the expected field path and cause reason, and
 * nothing is stored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InvalidManifestCorpusTest {
    private static final String NS = "corpus";
    private static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    static Path dir;
    static ApiServer server;
    static TestHttp http;

    record Case(String file, ResourceType type, ObjectNode object, String field, String reason) {
    }

    @BeforeAll
    static void start() {
        server = ApiServer.builder().dataDir(dir).bindAddress("127.0.0.1").port(0).advertiseAddress("172.30.0.10").build().start();
        http = new TestHttp(server.url());
        assertThat(http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void corpusHasAtLeastSixtyCasesOverEveryValidatedKind() {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(60);
        assertThat(cases.stream().map(c -> c.type().kind()).distinct()).contains("Service", "Pod", "Endpoints",
                "EndpointSlice", "Namespace", "Ingress", "IngressClass", "NetworkPolicy", "Deployment");
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyManifestIsRejectedWith422AndTheExpectedField() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.file(), () -> {
            String path = collectionPath(c.type());
            TestHttp.Response r = http.post(path, Json.string(c.object()));
            assertThat(r.code()).as("%s: %s", c.file(), r.body()).isEqualTo(422);
            assertThat(r.body().path("kind").asText()).isEqualTo("Status");
            assertThat(r.body().path("reason").asText()).isEqualTo("Invalid");
            assertThat(r.body().at("/details/kind").asText()).isEqualTo(c.type().kind());
            List<String> causes = new ArrayList<>();
            for (JsonNode cause : r.body().at("/details/causes")) {
                causes.add(cause.path("field").asText() + " " + cause.path("reason").asText());
            }
            assertThat(causes).as("%s: %s", c.file(), r.body().path("message").asText())
                    .contains(c.field() + " " + c.reason());
            assertThat(r.body().path("message").asText()).contains(c.field() + ": ");

            // nothing stored
            String name = c.object().at("/metadata/name").asText();
            assertThat(http.get(path + "/" + name).code()).isEqualTo(404);
        }));
    }

    @Test
    @Order(2)
    void afterTheCorpusNothingIsListedInTheNamespace() {
        for (Case c : cases()) {
            http.post(collectionPath(c.type()), Json.string(c.object()));
        }
        for (ResourceType t : List.of(Resources.SERVICES, Resources.PODS, Resources.ENDPOINTS, Resources.ENDPOINTSLICES,
                Resources.INGRESSES, Resources.NETWORKPOLICIES, Resources.DEPLOYMENTS)) {
            assertThat(http.get(collectionPath(t)).body().path("items").size()).as(t.plural()).isZero();
        }
        assertThat(http.get("/apis/networking.k8s.io/v1/ingressclasses").body().path("items").size()).isZero();
        assertThat(http.get("/api/v1/namespaces").body().path("items").findValuesAsText("name"))
                .containsExactlyInAnyOrder("default", "kube-system", "kube-public", "kube-node-lease", NS);
    }

    private static String collectionPath(ResourceType t) {
        String prefix = t.group().isEmpty() ? "/api/v1" : "/apis/" + t.apiVersion();
        return prefix + (t.namespaced() ? "/namespaces/" + NS : "") + "/" + t.plural();
    }

    static List<Case> cases() {
        try {
            Path root = Path.of(InvalidManifestCorpusTest.class.getResource("/invalid").toURI());
            List<Case> out = new ArrayList<>();
            try (Stream<Path> files = Files.list(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    List<String> lines = Files.readAllLines(f);
                    String field = header(lines, "# expect-field: ");
                    String reason = header(lines, "# expect-reason: ");
                    ObjectNode obj = (ObjectNode) YAML.readTree(f.toFile());
                    ResourceType type = Resources.byKind(obj.path("apiVersion").asText(), obj.path("kind").asText())
                            .orElseThrow(() -> new IllegalStateException("unknown kind in " + f));
                    out.add(new Case(f.getFileName().toString(), type, obj, field, reason));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.substring(prefix.length()).trim()).orElseThrow(() -> new IllegalStateException("missing " + prefix));
    }

}
