package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routing semantics without sockets: class selection, precedence, merging, conflicts, rejection, backends. */
class RouteTableBuilderTest {
    private static final List<IngressClass> CLASSES = List.of(Fixtures.ingressClass("junction", false));

    private static RouteTableBuilder.Result build(List<IngressClass> classes, Ingress... ingresses) {
        Map<String, Service> services = new LinkedHashMap<>();
        Map<String, List<EndpointSlice>> slices = new LinkedHashMap<>();
        for (String svc : List.of("a", "b", "c", "d", "root", "aaa", "aaabbb", "exact", "prefix", "dflt")) {
            services.put("default/" + svc, Fixtures.service("default", svc, "http", 80));
            slices.put("default/" + svc, List.of(Fixtures.slice("default", svc + "-1", svc, "http", 8080,
                    Map.of("10.244.1." + (10 + svc.length()), true))));
        }
        ClusterState state = new ClusterState(List.of(ingresses), classes, services, slices, Map.of());
        return new RouteTableBuilder(Fixtures.CONTROLLER, "junction").build(state, 1);
    }

    private static Optional<String> service(RouteTable t, String host, String p) {
        return t.lookup(host, p).map(r -> r.upstream().service());
    }

    /** The multi-path rows of the official examples table, each as one Ingress. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "'/,/aaa', /aaa/ccc, aaa",
            "'/,/aaa,/aaa/bbb', /aaa/bbb, aaabbb",
            "'/,/aaa,/aaa/bbb', /ccc, root",
            "'/aaa', /ccc, ''",
    })
    void officialMultiPathRows(String paths, String request, String expected) {
        Fixtures.Ing ing = ingress("default", "ex");
        List<io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath> ps = new java.util.ArrayList<>();
        for (String p : paths.split(",")) {
            String svc = switch (p) {
                case "/" -> "root";
                case "/aaa" -> "aaa";
                default -> "aaabbb";
            };
            ps.add(path("Prefix", p, svc, 80));
        }
        ing.rule("foo.com", ps.toArray(new io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath[0]));
        RouteTable t = build(CLASSES, ing.build()).table();
        assertThat(service(t, "foo.com", request).orElse("")).isEqualTo(expected);
    }

    @Test
    void mixedExactAndPrefixSamePathPrefersExact() {
        RouteTable t = build(CLASSES, ingress("default", "mixed")
                .rule("foo.com", path("Prefix", "/foo", "prefix", 80), path("Exact", "/foo", "exact", 80)).build()).table();
        assertThat(service(t, "foo.com", "/foo")).contains("exact");
        assertThat(service(t, "foo.com", "/foo/bar")).contains("prefix");
    }

    @Test
    void precedenceAcrossIngressesLongestPathThenExactThenOldest() {
        Ingress older = ingress("default", "older").created("2026-01-01T00:00:00Z")
                .rule("foo.com", path("Prefix", "/", "a", 80), path("Prefix", "/api", "b", 80)).build();
        Ingress newer = ingress("default", "newer").created("2026-02-01T00:00:00Z")
                .rule("foo.com", path("Prefix", "/api/v1", "c", 80), path("Prefix", "/api", "d", 80),
                        path("Exact", "/api", "exact", 80)).build();
        RouteTableBuilder.Result r = build(CLASSES, newer, older);
        RouteTable t = r.table();
        assertThat(service(t, "foo.com", "/api/v1/users")).contains("c");
        assertThat(service(t, "foo.com", "/api")).contains("exact");
        assertThat(service(t, "foo.com", "/api/x")).contains("b");
        assertThat(service(t, "foo.com", "/other")).contains("a");
        assertThat(r.problems()).anySatisfy(p -> {
            assertThat(p.ingress()).isEqualTo("default/newer");
            assertThat(p.reason()).isEqualTo("Conflict");
            assertThat(p.rejected()).isFalse();
        });
    }

    @Test
    void conflictTieBrokenByNameWhenCreatedTogether() {
        Ingress x = ingress("default", "x").rule("foo.com", path("Prefix", "/", "a", 80)).build();
        Ingress y = ingress("default", "y").rule("foo.com", path("Prefix", "/", "b", 80)).build();
        assertThat(service(build(CLASSES, y, x).table(), "foo.com", "/")).contains("a");
        assertThat(service(build(CLASSES, x, y).table(), "foo.com", "/")).contains("a");
    }

    @Test
    void hostsExactThenWildcardThenCatchAll() {
        RouteTable t = build(CLASSES, ingress("default", "h")
                .rule("foo.bar.com", path("Prefix", "/", "a", 80))
                .rule("*.bar.com", path("Prefix", "/", "b", 80))
                .rule("", path("Prefix", "/", "c", 80)).build()).table();
        assertThat(service(t, "foo.bar.com", "/")).contains("a");
        assertThat(service(t, "baz.bar.com", "/")).contains("b");
        assertThat(service(t, "deep.baz.bar.com", "/")).contains("c");
        assertThat(service(t, "bar.com", "/")).contains("c");
    }

    @Test
    void defaultBackendElse404() {
        Ingress withDefault = ingress("default", "d").defaultBackend("dflt", 80)
                .rule("foo.com", path("Exact", "/x", "a", 80)).build();
        assertThat(service(build(CLASSES, withDefault).table(), "other.com", "/")).contains("dflt");
        assertThat(service(build(CLASSES, withDefault).table(), "foo.com", "/y")).contains("dflt");
        Ingress without = ingress("default", "n").rule("foo.com", path("Exact", "/x", "a", 80)).build();
        assertThat(service(build(CLASSES, without).table(), "other.com", "/")).isEmpty();
    }

    @Test
    void resourceBackendRejectsOnlyThatIngress() {
        Ingress bad = ingress("default", "bad").resourceDefaultBackend().rule("bad.com", path("Prefix", "/", "a", 80)).build();
        Ingress good = ingress("default", "good").rule("good.com", path("Prefix", "/", "b", 80)).build();
        RouteTableBuilder.Result r = build(CLASSES, bad, good);
        assertThat(service(r.table(), "good.com", "/")).contains("b");
        assertThat(service(r.table(), "bad.com", "/")).isEmpty();
        assertThat(r.accepted()).containsExactly("default/good");
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("ResourceBackendUnsupported");
            assertThat(p.rejected()).isTrue();
            assertThat(p.message()).contains("StorageBucket/static");
        });
    }

    @Test
    void classSelection() {
        Ingress mine = ingress("default", "mine").className("junction").rule("a.com", path("Prefix", "/", "a", 80)).build();
        Ingress other = ingress("default", "other").className("nginx-other").rule("b.com", path("Prefix", "/", "b", 80)).build();
        Ingress classless = ingress("default", "classless").className(null).rule("c.com", path("Prefix", "/", "c", 80)).build();
        IngressClass otherClass = new io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder()
                .withNewMetadata().withName("nginx-other").endMetadata().withNewSpec().withController("k8s.io/ingress-nginx")
                .endSpec().build();
        RouteTable notDefault = build(List.of(Fixtures.ingressClass("junction", false), otherClass), mine, other, classless).table();
        assertThat(service(notDefault, "a.com", "/")).contains("a");
        assertThat(service(notDefault, "b.com", "/")).isEmpty();
        assertThat(service(notDefault, "c.com", "/")).isEmpty();
        RouteTable isDefault = build(List.of(Fixtures.ingressClass("junction", true), otherClass), mine, other, classless).table();
        assertThat(service(isDefault, "c.com", "/")).contains("c");
        // A class with another name whose controller is ours (seed 05-ingress.yaml's "nginx" class).
        IngressClass alias = Fixtures.ingressClass("nginx", false);
        Ingress viaAlias = ingress("default", "alias").className("nginx").rule("d.com", path("Prefix", "/", "d", 80)).build();
        assertThat(service(build(List.of(alias), viaAlias).table(), "d.com", "/")).contains("d");
    }

    @Test
    void backendsByPortNameAndReadiness() {
        Map<String, Service> services = Map.of("default/web", Fixtures.service("default", "web", "http", 8080));
        Map<String, List<EndpointSlice>> slices = Map.of("default/web", List.of(
                Fixtures.slice("default", "web-1", "web", "http", 9000,
                        new LinkedHashMap<>(Map.of("10.244.1.2", true, "10.244.1.3", false)))));
        Ingress byName = ingress("default", "n").rule("n.com", Fixtures.namedPort("Prefix", "/", "web", "http")).build();
        Ingress byNumber = ingress("default", "m").rule("m.com", path("Prefix", "/", "web", 8080)).build();
        Ingress wrongPort = ingress("default", "w").rule("w.com", path("Prefix", "/", "web", 1234)).build();
        RouteTable t = new RouteTableBuilder(Fixtures.CONTROLLER, "junction").build(
                new ClusterState(List.of(byName, byNumber, wrongPort), CLASSES, services, slices, Map.of()), 1).table();
        assertThat(t.lookup("n.com", "/").orElseThrow().upstream().endpoints())
                .extracting(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).containsExactly("10.244.1.2:9000");
        assertThat(t.lookup("m.com", "/").orElseThrow().upstream().endpoints()).hasSize(1);
        assertThat(t.lookup("w.com", "/").orElseThrow().upstream().endpoints()).isEmpty();
        assertThat(t.lookup("w.com", "/").orElseThrow().upstream().problem()).hasValueSatisfying(p -> assertThat(p).contains("no port 1234"));
    }

    @Test
    void canaryAttachesToMainRule() {
        Ingress main = ingress("default", "main").rule("foo.com", path("Prefix", "/", "a", 80)).build();
        Ingress canary = ingress("default", "canary").created("2026-03-01T00:00:00Z")
                .annotation("canary", "true").annotation("canary-by-header", "X-Canary")
                .rule("foo.com", path("Prefix", "/", "b", 80)).build();
        RouteTableBuilder.Result r = build(CLASSES, main, canary);
        Route route = r.table().lookup("foo.com", "/").orElseThrow();
        assertThat(route.upstream().service()).isEqualTo("a");
        assertThat(route.canary()).hasValueSatisfying(c -> assertThat(c.upstream().service()).isEqualTo("b"));
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void unknownAnnotationsAreReported() {
        RouteTableBuilder.Result r = build(CLASSES, ingress("default", "u").annotation("configuration-snippet", "x")
                .annotation("proxy-body-size", "8m").rule("u.com", path("Prefix", "/", "a", 80)).build());
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("UnknownAnnotation");
            assertThat(p.message()).contains("nginx.ingress.kubernetes.io/configuration-snippet");
        });
        assertThat(r.table().lookup("u.com", "/").orElseThrow().annotations().proxyBodySize()).isEqualTo(8L * 1024 * 1024);
    }

    @Test
    void tlsHostsOldestWins() {
        Ingress a = ingress("default", "a").tls("cert-a", "foo.com").rule("foo.com", path("Prefix", "/", "a", 80)).build();
        Ingress b = ingress("default", "b").created("2026-05-01T00:00:00Z").tls("cert-b", "foo.com", "bar.com")
                .rule("bar.com", path("Prefix", "/", "b", 80)).build();
        RouteTableBuilder.Result r = build(CLASSES, b, a);
        assertThat(r.tls()).containsEntry("foo.com", "default/cert-a").containsEntry("bar.com", "default/cert-b");
        assertThat(r.table().lookup("foo.com", "/").orElseThrow().tls()).isTrue();
    }
}
