package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller on loopback against fabric8's mock API server (CRUD mode), with real backend
 * servers: routing, round-robin, retries, 404/503, headers, keep-alive and pipelining, status,
 * events, live route changes and a WebSocket that survives them.
 */
class IngressControllerTest {
    static MockApi api;
    static TestBackend a1;
    static TestBackend a2;
    static TestBackend b1;
    static TestBackend wsb;
    static IngressController controller;
    static int deadPort;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        api = new MockApi();
        a1 = new TestBackend("a1", "127.0.0.1");
        a2 = new TestBackend("a2", "127.0.0.2");
        b1 = new TestBackend("b1", "127.0.0.1");
        wsb = new TestBackend("wsb", "127.0.0.1");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        api.apply(Fixtures.ingressClass("junction", false));
        api.apply(Fixtures.service("default", "web", "http", 80));
        api.apply(Fixtures.slice("default", "web-1", "web", "http", a1.port(), Map.of(a1.ip(), true)));
        api.apply(Fixtures.slice("default", "web-2", "web", "http", a2.port(), Map.of(a2.ip(), true)));
        api.apply(Fixtures.service("default", "other", "", 8080));
        api.apply(Fixtures.slice("default", "other-1", "other", "", b1.port(), Map.of(b1.ip(), true)));
        api.apply(Fixtures.service("default", "empty", "", 80));
        api.apply(Fixtures.slice("default", "empty-1", "empty", "", a1.port(), Map.of(a1.ip(), false)));
        api.apply(Fixtures.service("default", "flaky", "", 80));
        api.apply(Fixtures.slice("default", "flaky-1", "flaky", "", deadPort, Map.of("127.0.0.1", true)));
        api.apply(Fixtures.slice("default", "flaky-2", "flaky", "", b1.port(), Map.of(b1.ip(), true)));
        api.apply(Fixtures.service("default", "ws", "", 80));
        api.apply(Fixtures.slice("default", "ws-1", "ws", "", wsb.port(), Map.of(wsb.ip(), true)));
        api.apply(mainIngress().build());
        controller = IngressController.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .httpPort(0).httpsPort(-1).healthPort(0).workerThreads(2)
                .publishService("ingress-junction/ingress-junction-controller").build().start();
        port = controller.httpPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.ready()
                && controller.routeTable().lookup("web.test", "/").isPresent());
    }

    static Fixtures.Ing mainIngress() {
        return ingress("default", "main")
                .rule("web.test", path("Prefix", "/", "web", 80))
                .rule("other.test", path("Prefix", "/api", "other", 8080))
                .rule("empty.test", path("Prefix", "/", "empty", 80))
                .rule("flaky.test", path("Prefix", "/", "flaky", 80))
                .rule("localhost", path("Prefix", "/ws", "ws", 80));
    }

    @AfterAll
    static void stop() throws Exception {
        if (controller != null) {
            controller.close();
        }
        for (TestBackend b : new TestBackend[] {a1, a2, b1, wsb}) {
            if (b != null) {
                b.close();
            }
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void roundRobinOverReadyEndpointsOnOneKeepAliveConnection() throws Exception {
        Set<String> seen = new HashSet<>();
        try (RawHttp c = new RawHttp(port)) {
            for (int i = 0; i < 8; i++) {
                RawHttp.Response r = c.request("GET", "web.test", "/x?i=" + i);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.seen("uri")).isEqualTo("/x?i=" + i);
                seen.add(r.seen("name"));
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("a1", "a2");
    }

    @Test
    void proxyHeaders() throws Exception {
        RawHttp.Response r = RawHttp.get(port, "Web.Test:" + port, "/h", "X-Forwarded-For: 6.6.6.6", "Connection: close, X-Drop",
                "X-Drop: secret");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.seen("x-real-ip")).isEqualTo("127.0.0.1");
        assertThat(r.seen("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(r.seen("x-forwarded-host")).isEqualTo("web.test");
        assertThat(r.seen("x-forwarded-proto")).isEqualTo("http");
        assertThat(r.seen("x-forwarded-port")).isEqualTo(String.valueOf(port));
        assertThat(r.seen("x-request-id")).matches("[0-9a-f]{32}");
        assertThat(r.seen("host")).isEqualTo("Web.Test:" + port);
        assertThat(r.seen("x-drop")).isNull();
        assertThat(r.header("connection")).isEqualTo("close");
        RawHttp.Response kept = RawHttp.get(port, "web.test", "/h", "X-Request-ID: abc123");
        assertThat(kept.seen("x-request-id")).isEqualTo("abc123");
    }

    @Test
    void pipelinedRequestsAnswerInOrder() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /one HTTP/1.1\r\nHost: web.test\r\n\r\nGET /two HTTP/1.1\r\nHost: other.test\r\n\r\n"
                    + "GET /api/three HTTP/1.1\r\nHost: other.test\r\n\r\n");
            assertThat(c.read().seen("uri")).isEqualTo("/one");
            assertThat(c.read().status()).isEqualTo(404);
            RawHttp.Response third = c.read();
            assertThat(third.seen("uri")).isEqualTo("/api/three");
            assertThat(third.seen("name")).isEqualTo("b1");
        }
    }

    @Test
    void unknownHostAndUnmatchedPathAre404() throws Exception {
        assertThat(RawHttp.get(port, "nobody.test", "/").status()).isEqualTo(404);
        assertThat(RawHttp.get(port, "other.test", "/apix").status()).isEqualTo(404);
    }

    @Test
    void noReadyEndpointIs503() throws Exception {
        assertThat(RawHttp.get(port, "empty.test", "/").status()).isEqualTo(503);
    }

    @Test
    void connectFailureRetriesAnotherEndpoint() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            for (int i = 0; i < 6; i++) {
                RawHttp.Response r = c.request("GET", "flaky.test", "/");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.seen("name")).isEqualTo("b1");
            }
        }
        assertThat(controller.metrics().render()).contains("junction_ingress_upstream_connect_failures_total{namespace=\"default\",service=\"flaky\"}");
    }

    @Test
    void statusLoadBalancerFromPublishedService() {
        Service published = new ServiceBuilder().withNewMetadata().withNamespace("ingress-junction")
                .withName("ingress-junction-controller").endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP("10.96.0.80").endSpec().build();
        api.apply(published);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Ingress ing = api.client.network().v1().ingresses().inNamespace("default").withName("main").get();
            // Until the status writer has run there is no status at all: keep waiting, not an NPE.
            assertThat(ing.getStatus()).isNotNull();
            assertThat(ing.getStatus().getLoadBalancer()).isNotNull();
            assertThat(ing.getStatus().getLoadBalancer().getIngress()).singleElement()
                    .satisfies(i -> assertThat(i.getIp()).isEqualTo("10.96.0.80"));
        });
    }

    @Test
    void resourceBackendRejectedWithEventOthersKeepWorking() throws Exception {
        api.apply(ingress("default", "bad").resourceDefaultBackend().rule("bad.test", path("Prefix", "/", "web", 80)).build());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                api.client.v1().events().inNamespace("default").list().getItems())
                .anySatisfy((Event e) -> {
                    assertThat(e.getReason()).isEqualTo("ResourceBackendUnsupported");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("bad");
                    assertThat(e.getType()).isEqualTo("Warning");
                }));
        assertThat(RawHttp.get(port, "bad.test", "/").status()).isEqualTo(404);
        assertThat(RawHttp.get(port, "web.test", "/").status()).isEqualTo(200);
    }

    @Test
    void healthAndMetrics() throws Exception {
        RawHttp.get(port, "web.test", "/m");
        HttpClient http = HttpClient.newHttpClient();
        var health = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.healthPort() + "/healthz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        var metrics = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.healthPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("nginx_ingress_controller_requests{namespace=\"default\",ingress=\"main\",service=\"web\",status=\"200\"}")
                .contains("nginx_ingress_controller_response_duration_seconds_bucket{namespace=\"default\",ingress=\"main\",service=\"web\",le=\"+Inf\"}");
    }

    @Test
    void webSocketStaysOpenWhileIngressesAndEndpointsChange() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(null);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("wsb:hello");

        // Change Ingresses and endpoints (including the WebSocket's own Service) while it is open.
        api.apply(mainIngress().rule("new.test", path("Exact", "/fresh", "other", 8080)).build());
        api.apply(Fixtures.slice("default", "web-2", "web", "http", a2.port(), Map.of(a2.ip(), false)));
        Map<String, Boolean> wsEndpoints = new LinkedHashMap<>();
        wsEndpoints.put(wsb.ip(), true);
        wsEndpoints.put("127.0.0.2", true);
        api.apply(Fixtures.slice("default", "ws-1", "ws", "", wsb.port(), wsEndpoints));
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.routeTable().lookup("new.test", "/fresh").isPresent()
                && controller.routeTable().lookup("localhost", "/ws").orElseThrow().upstream().endpoints().size() == 2);
        assertThat(RawHttp.get(port, "new.test", "/fresh").seen("name")).isEqualTo("b1");
        for (int i = 0; i < 4; i++) {
            assertThat(RawHttp.get(port, "web.test", "/").seen("name")).isEqualTo("a1");
        }

        ws.sendText("again", true).get(5, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("wsb:again");
        assertThat(closed).isNotDone();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);

        // Restore for other tests.
        api.apply(Fixtures.slice("default", "web-2", "web", "http", a2.port(), Map.of(a2.ip(), true)));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                controller.routeTable().lookup("web.test", "/").orElseThrow().upstream().endpoints().size() == 2);
    }
}
