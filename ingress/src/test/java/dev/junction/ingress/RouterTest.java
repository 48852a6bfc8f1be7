package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ingress-nginx annotation semantics through {@link Router}, without sockets. */
class RouterTest {

    private static RouteTable table(Ingress... ingresses) {
        ClusterState state = new ClusterState(List.of(ingresses), List.of(Fixtures.ingressClass("junction", false)),
                Map.of("default/a", Fixtures.service("default", "a", "", 80), "default/b", Fixtures.service("default", "b", "", 80)),
                Map.of("default/a", List.of(Fixtures.slice("default", "a1", "a", "", 80, Map.of("10.0.0.1", true))),
                        "default/b", List.of(Fixtures.slice("default", "b1", "b", "", 80, Map.of("10.0.0.2", true)))),
                Map.of());
        return new RouteTableBuilder(Fixtures.CONTROLLER, "junction").build(state, 1).table();
    }

    private static Router.Decision route(RouteTable t, String host, String uri, boolean https, Map<String, String> headers) {
        return Router.route(t, host, uri, https, "192.0.2.7", n -> Optional.ofNullable(headers.get(n)));
    }

    @Test
    void rewriteTargetWithCaptureGroups() {
        RouteTable t = table(ingress("default", "rw").annotation("use-regex", "true").annotation("rewrite-target", "/$2")
                .rule("rw.com", path("ImplementationSpecific", "/something(/|$)(.*)", "a", 80)).build());
        assertThat(route(t, "rw.com", "/something/new?x=1", false, Map.of()))
                .isEqualTo(new Router.Forward(t.lookup("rw.com", "/something/new").orElseThrow(),
                        t.lookup("rw.com", "/something").orElseThrow().upstream(), "/new?x=1"));
        assertThat(((Router.Forward) route(t, "rw.com", "/SOMETHING", false, Map.of())).uri()).isEqualTo("/");
    }

    @Test
    void rewriteTargetWithoutGroupsReplacesTheWholePath() {
        RouteTable t = table(ingress("default", "rw").annotation("rewrite-target", "/")
                .rule("rw.com", path("Prefix", "/app", "a", 80)).build());
        assertThat(((Router.Forward) route(t, "rw.com", "/app/x/y", false, Map.of())).uri()).isEqualTo("/");
    }

    @Test
    void sslRedirectOnlyForTlsHostsUnlessForced() {
        RouteTable t = table(ingress("default", "tls").tls("cert", "secure.com").rule("secure.com", path("Prefix", "/", "a", 80)).build(),
                ingress("default", "plain").rule("plain.com", path("Prefix", "/", "a", 80)).build(),
                ingress("default", "forced").annotation("force-ssl-redirect", "true").rule("forced.com", path("Prefix", "/", "a", 80)).build(),
                ingress("default", "off").annotation("ssl-redirect", "false").tls("cert", "off.com")
                        .rule("off.com", path("Prefix", "/", "a", 80)).build());
        assertThat(route(t, "secure.com", "/p?q", false, Map.of())).isInstanceOfSatisfying(Router.Respond.class, r -> {
            assertThat(r.status()).isEqualTo(308);
            assertThat(r.location()).contains("https://secure.com/p?q");
        });
        assertThat(route(t, "secure.com", "/p", true, Map.of())).isInstanceOf(Router.Forward.class);
        assertThat(route(t, "plain.com", "/", false, Map.of())).isInstanceOf(Router.Forward.class);
        assertThat(route(t, "forced.com", "/", false, Map.of())).isInstanceOfSatisfying(Router.Respond.class,
                r -> assertThat(r.status()).isEqualTo(308));
        assertThat(route(t, "off.com", "/", false, Map.of())).isInstanceOf(Router.Forward.class);
    }

    @Test
    void permanentRedirectAndAllowlist() {
        RouteTable t = table(ingress("default", "pr").annotation("permanent-redirect", "https://example.org/new")
                        .rule("pr.com", path("Prefix", "/", "a", 80)).build(),
                ingress("default", "wl").annotation("whitelist-source-range", "10.0.0.0/8, 192.0.2.0/24")
                        .rule("wl.com", path("Prefix", "/", "a", 80)).build(),
                ingress("default", "deny").annotation("whitelist-source-range", "10.0.0.0/8")
                        .rule("deny.com", path("Prefix", "/", "a", 80)).build());
        assertThat(route(t, "pr.com", "/x", false, Map.of())).isInstanceOfSatisfying(Router.Respond.class, r -> {
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.location()).contains("https://example.org/new");
        });
        assertThat(route(t, "wl.com", "/", false, Map.of())).isInstanceOf(Router.Forward.class);
        assertThat(route(t, "deny.com", "/", false, Map.of())).isInstanceOfSatisfying(Router.Respond.class,
                r -> assertThat(r.status()).isEqualTo(403));
    }

    @Test
    void canaryByHeaderAndWeight() {
        Ingress main = ingress("default", "main").rule("c.com", path("Prefix", "/", "a", 80)).build();
        Ingress byHeader = ingress("default", "canary").created("2026-02-01T00:00:00Z").annotation("canary", "true")
                .annotation("canary-by-header", "X-Canary").rule("c.com", path("Prefix", "/", "b", 80)).build();
        RouteTable t = table(main, byHeader);
        assertThat(((Router.Forward) route(t, "c.com", "/", false, Map.of("X-Canary", "always"))).upstream().service()).isEqualTo("b");
        assertThat(((Router.Forward) route(t, "c.com", "/", false, Map.of("X-Canary", "never"))).upstream().service()).isEqualTo("a");
        assertThat(((Router.Forward) route(t, "c.com", "/", false, Map.of())).upstream().service()).isEqualTo("a");
        Ingress all = ingress("default", "canary").created("2026-02-01T00:00:00Z").annotation("canary", "true")
                .annotation("canary-weight", "100").rule("c.com", path("Prefix", "/", "b", 80)).build();
        assertThat(((Router.Forward) route(table(main, all), "c.com", "/", false, Map.of())).upstream().service()).isEqualTo("b");
    }

    @Test
    void unmatchedIs404() {
        assertThat(route(table(), "x.com", "/", false, Map.of())).isInstanceOfSatisfying(Router.Respond.class,
                r -> assertThat(r.status()).isEqualTo(404));
    }

    @Test
    void bodySizeParsing() {
        assertThat(IngressAnnotations.parseSize("8m")).isEqualTo(8L << 20);
        assertThat(IngressAnnotations.parseSize("512k")).isEqualTo(512L << 10);
        assertThat(IngressAnnotations.parseSize("0")).isZero();
        assertThat(IngressAnnotations.parse(Map.of(IngressAnnotations.PREFIX + "proxy-body-size", "lots")).errors())
                .singleElement().asString().contains("expected");
    }
}
