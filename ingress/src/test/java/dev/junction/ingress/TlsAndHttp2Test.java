package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandRunner;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS termination with SNI from kubernetes.io/tls Secrets, the default certificate, reload, ssl-redirect and HTTP/2. */
class TlsAndHttp2Test {
    static MockApi api;
    static TestBackend a;
    static TestBackend b;
    static GrpcLikeBackend grpc;
    static IngressController controller;

    @BeforeAll
    static void start() throws Exception {
        api = new MockApi();
        a = new TestBackend("a", "127.0.0.1");
        b = new TestBackend("b", "127.0.0.1");
        api.apply(Fixtures.ingressClass("junction", false));
        for (TestBackend t : new TestBackend[] {a, b}) {
            api.apply(Fixtures.service("default", t.name, "", 80));
            api.apply(Fixtures.slice("default", t.name + "-1", t.name, "", t.port(), Map.of(t.ip(), true)));
        }
        grpc = new GrpcLikeBackend();
        api.apply(Fixtures.service("default", "grpc", "grpc", 50051));
        api.apply(Fixtures.slice("default", "grpc-1", "grpc", "grpc", grpc.port(), Map.of("127.0.0.1", true)));
        api.apply(ingress("default", "grpc").annotation("backend-protocol", "GRPC")
                .rule("grpc.test", Fixtures.namedPort("Prefix", "/", "grpc", "grpc")).build());
        api.apply(Fixtures.tlsSecret("default", "tls-a", pem("a.test")));
        api.apply(Fixtures.tlsSecret("default", "tls-b", pem("b.test")));
        api.apply(Fixtures.tlsSecret("default", "tls-local", pem("localhost")));
        api.apply(ingress("default", "tls").tls("tls-a", "a.test").tls("tls-b", "b.test").tls("tls-local", "localhost")
                .rule("a.test", path("Prefix", "/", "a", 80))
                .rule("b.test", path("Prefix", "/", "b", 80))
                .rule("localhost", path("Prefix", "/", "a", 80)).build());
        controller = IngressController.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .httpPort(0).httpsPort(0).healthPort(-1).workerThreads(2).build().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.ready()
                && controller.routeTable().lookup("b.test", "/").isPresent());
    }

    static SelfSignedCertificates.Pem pem(String... names) {
        return SelfSignedCertificates.generate(CommandRunner.system(), names).orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (grpc != null) {
            grpc.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static String httpsGet(SSLSocket s, String host) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(("GET /tls HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void sniSelectsTheSecretOfEachHost() throws Exception {
        try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), "a.test")) {
            assertThat(TlsTestSupport.subject(s)).isEqualTo("CN=a.test");
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            String resp = httpsGet(s, "a.test");
            assertThat(resp).startsWith("HTTP/1.1 200").contains("name=a").contains("x-forwarded-proto=https");
        }
        try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), "b.test", "TLSv1.2")) {
            assertThat(TlsTestSupport.subject(s)).isEqualTo("CN=b.test");
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(httpsGet(s, "b.test")).contains("name=b");
        }
    }

    @Test
    void unknownNameGetsTheDefaultCertificate() throws Exception {
        try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), "unknown.test")) {
            assertThat(TlsTestSupport.subject(s)).isEqualTo("CN=ingress.local");
            assertThat(httpsGet(s, "unknown.test")).startsWith("HTTP/1.1 404");
        }
        try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), null)) {
            assertThat(TlsTestSupport.subject(s)).isEqualTo("CN=ingress.local");
        }
    }

    @Test
    void plainHttpToTlsHostRedirects() throws Exception {
        RawHttp.Response r = RawHttp.get(controller.httpPort(), "a.test", "/x?y=1");
        assertThat(r.status()).isEqualTo(308);
        assertThat(r.header("location")).isEqualTo("https://a.test/x?y=1");
    }

    @Test
    void http2WithAlpnThroughJdkHttpClient() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(TlsTestSupport.trustAll()).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("https://localhost:" + controller.httpsPort() + "/h2?i=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("name=a").contains("uri=/h2?i=" + i).contains("x-forwarded-proto=https")
                    .contains("host=localhost:" + controller.httpsPort());
        }
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + controller.httpsPort() + "/post"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(post.body()).contains("body-length=100000").contains("method=POST");
    }

    @Test
    void grpcBackendOverH2cKeepsTrailers() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.routeTable().lookup("grpc.test", "/").isPresent());
        try (H2TestClient client = new H2TestClient(controller.httpsPort(), "grpc.test")) {
            for (int i = 0; i < 3; i++) {
                io.netty.handler.codec.http.FullHttpResponse r = client.post("grpc.test", "/pkg.Echo/Say", "application/grpc", "ping-" + i);
                try {
                    assertThat(r.status().code()).isEqualTo(200);
                    assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
                    assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("ping-" + i);
                    assertThat(r.trailingHeaders().get("grpc-status")).isEqualTo("0");
                    assertThat(r.trailingHeaders().get("grpc-message")).isEqualTo("te=trailers path=/pkg.Echo/Say");
                } finally {
                    r.release();
                }
            }
        }
        // gRPC needs HTTP/2 end to end: an HTTP/1.1 client gets 502.
        assertThat(RawHttp.get(controller.httpPort(), "grpc.test", "/pkg.Echo/Say").status()).isEqualTo(502);
    }

    @Test
    void certificateReloadsWhenTheSecretChanges() throws Exception {
        api.apply(Fixtures.tlsSecret("default", "tls-rotate", pem("rotate.test")));
        api.apply(ingress("default", "rotate").tls("tls-rotate", "rotate.test").rule("rotate.test", path("Prefix", "/", "b", 80)).build());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), "rotate.test")) {
                assertThat(TlsTestSupport.subject(s)).isEqualTo("CN=rotate.test");
            }
        });
        X509Certificate before;
        try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), "rotate.test")) {
            before = (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
        api.apply(Fixtures.tlsSecret("default", "tls-rotate", pem("rotate.test", "www.rotate.test")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), "rotate.test")) {
                X509Certificate now = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertThat(now.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
                assertThat(httpsGet(s, "rotate.test")).contains("name=b");
            }
        });
    }
}
