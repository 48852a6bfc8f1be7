package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients: request smuggling, oversized heads and bodies, slowloris and half-open TLS. The
 * controller must refuse them and keep serving well-behaved clients meanwhile (a background client
 * runs through every test and must see only 200s).
 */
class HostileInputTest {
    static MockApi api;
    static TestBackend backend;
    static IngressController controller;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        api = new MockApi();
        backend = new TestBackend("good", "127.0.0.1");
        api.apply(Fixtures.ingressClass("junction", false));
        api.apply(Fixtures.tlsSecret("default", "tls-local",
                SelfSignedCertificates.generate(dev.junction.common.CommandRunner.system(), "localhost").orElseThrow()));
        api.apply(Fixtures.service("default", "web", "", 80));
        api.apply(Fixtures.slice("default", "web-1", "web", "", backend.port(), Map.of(backend.ip(), true)));
        api.apply(ingress("default", "web").annotation("ssl-redirect", "false").tls("tls-local", "localhost").rule("web.test", path("Prefix", "/", "web", 80))
                .rule("localhost", path("Prefix", "/", "web", 80)).build());
        api.apply(ingress("default", "small").annotation("proxy-body-size", "1k")
                .rule("small.test", path("Prefix", "/", "web", 80)).build());
        controller = IngressController.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .httpPort(0).httpsPort(0).healthPort(0).workerThreads(2)
                .idleTimeout(Duration.ofSeconds(1)).bodyTimeout(Duration.ofSeconds(1)).build().start();
        port = controller.httpPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.ready()
                && controller.routeTable().lookup("small.test", "/").isPresent());
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (api != null) {
            api.close();
        }
    }

    /** Runs {@code attack} while a well-behaved client keeps sending; every good request must get 200. */
    private static void whileServingOthers(ThrowingRunnable attack) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        Thread good = new Thread(() -> {
            while (!stop.get()) {
                try {
                    RawHttp.Response r = RawHttp.get(port, "web.test", "/good");
                    if (r.status() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failures.add("status " + r.status());
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        good.start();
        try {
            attack.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 5);
        } finally {
            stop.set(true);
            good.join();
        }
        assertThat(failures).isEmpty();
        assertThat(RawHttp.get(port, "web.test", "/after").status()).isEqualTo(200);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void smugglingWithContentLengthAndTransferEncodingIsRefused() throws Exception {
        whileServingOthers(() -> {
            try (RawHttp c = new RawHttp(port)) {
                c.send("POST / HTTP/1.1\r\nHost: web.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: web.test\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(400);
                assertThat(c.closedByPeer()).isTrue();
            }
            try (RawHttp c = new RawHttp(port)) {
                c.send("POST / HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(400);
            }
            try (RawHttp c = new RawHttp(port)) {
                c.send("POST / HTTP/1.1\r\nHost: web.test\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde");
                assertThat(c.read().status()).isEqualTo(400);
            }
            try (RawHttp c = new RawHttp(port)) {
                c.send("GET / HTTP/1.1\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(400);
            }
            assertThat(backend.smuggled.get()).isZero();
        });
    }

    @Test
    void oversizedHeadsAndBodies() throws Exception {
        whileServingOthers(() -> {
            try (RawHttp c = new RawHttp(port)) {
                assertThat(c.request("GET", "web.test", "/", "X-Big: " + "a".repeat(20_000)).status()).isEqualTo(431);
            }
            try (RawHttp c = new RawHttp(port)) {
                assertThat(c.request("GET", "web.test", "/" + "u".repeat(10_000)).status()).isEqualTo(414);
            }
            try (RawHttp c = new RawHttp(port)) {
                c.send("POST / HTTP/1.1\r\nHost: small.test\r\nContent-Length: 2048\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(413);
            }
            try (RawHttp c = new RawHttp(port)) {
                c.send("POST / HTTP/1.1\r\nHost: small.test\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + "z".repeat(2048) + "\r\n0\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(413);
            }
            try (RawHttp c = new RawHttp(port)) {
                c.send("POST / HTTP/1.1\r\nHost: small.test\r\nContent-Length: 10\r\n\r\n0123456789");
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.seen("body-length")).isEqualTo("10");
            }
        });
    }

    @Test
    void slowlorisAndStalledBodiesAreClosed() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        try {
            whileServingOthers(() -> {
                for (int i = 0; i < 20; i++) {
                    RawHttp c = new RawHttp(port);
                    slow.add(c);
                    c.send("GET / HTTP/1.1\r\nHost: web.test\r\nX-Slow: ");
                }
                RawHttp stalled = new RawHttp(port);
                slow.add(stalled);
                stalled.send("POST / HTTP/1.1\r\nHost: web.test\r\nContent-Length: 100\r\n\r\nonly-part");
                for (int round = 0; round < 3; round++) {
                    for (RawHttp c : slow.subList(0, 20)) {
                        try {
                            c.send("a");
                        } catch (java.io.IOException closedAlready) {
                            // closed by the controller: expected eventually
                        }
                    }
                    Thread.sleep(200);
                }
            });
            for (RawHttp c : slow.subList(0, 20)) {
                assertThat(c.closedByPeer()).isTrue();
            }
            RawHttp stalled = slow.get(20);
            assertThat(stalled.read().status()).isEqualTo(408);
            assertThat(stalled.closedByPeer()).isTrue();
        } finally {
            for (RawHttp c : slow) {
                c.close();
            }
        }
    }

    @Test
    void halfOpenTlsIsClosedAndTlsClientsAreServed() throws Exception {
        List<Socket> halfOpen = new ArrayList<>();
        try {
            whileServingOthers(() -> {
                for (int i = 0; i < 10; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), controller.httpsPort());
                    s.setSoTimeout(15_000);
                    halfOpen.add(s);
                    if (i % 2 == 0) {
                        // A TLS record header announcing a ClientHello that never comes.
                        OutputStream out = s.getOutputStream();
                        out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
                        out.flush();
                    }
                }
                HttpClient client = HttpClient.newBuilder().sslContext(TlsTestSupport.trustAll()).build();
                for (int i = 0; i < 5; i++) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("https://localhost:" + controller.httpsPort() + "/tls")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                }
                try (SSLSocket s = TlsTestSupport.connect(controller.httpsPort(), "web.test")) {
                    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
                }
            });
            for (Socket s : halfOpen) {
                int read;
                try {
                    read = s.getInputStream().read();
                } catch (java.io.IOException reset) {
                    read = -1;
                }
                // Closed by the controller (EOF/reset), or a TLS alert record (0x15) before the close.
                assertThat(read).isIn(-1, 0x15);
            }
        } finally {
            for (Socket s : halfOpen) {
                s.close();
            }
        }
        var health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + controller.healthPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }
}
