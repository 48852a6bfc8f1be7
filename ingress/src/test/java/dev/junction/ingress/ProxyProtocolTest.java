package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --enable-proxy-protocol} on real loopback sockets: the client address the endpoint sees
 * ({@code X-Real-IP}, {@code X-Forwarded-For}) is the PROXY header's source, for the v1 text form
 * and the v2 binary form (HAProxy's proxy-protocol.txt, sections 2.1 and 2.2), and a keep-alive
 * connection keeps it for its next request.
 */
class ProxyProtocolTest {
    static MockApi api;
    static TestBackend backend;
    static IngressController controller;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        api = new MockApi();
        backend = new TestBackend("pp", "127.0.0.1");
        api.apply(Fixtures.ingressClass("junction", false));
        api.apply(Fixtures.service("default", "web", "", 80));
        api.apply(Fixtures.slice("default", "web-1", "web", "", backend.port(), Map.of(backend.ip(), true)));
        api.apply(ingress("default", "web").rule("pp.test", path("Prefix", "/", "web", 80)).build());
        controller = IngressController.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .httpPort(0).httpsPort(-1).healthPort(-1).workerThreads(1).proxyProtocol(true).build().start();
        port = controller.httpPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.ready()
                && controller.routeTable().lookup("pp.test", "/").isPresent());
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

    @Test
    void v1HeaderGivesTheClientAddress() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("PROXY TCP4 203.0.113.7 192.0.2.1 40000 80\r\n");
            RawHttp.Response r = c.request("GET", "pp.test", "/one");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.seen("x-real-ip")).isEqualTo("203.0.113.7");
            assertThat(r.seen("x-forwarded-for")).isEqualTo("203.0.113.7");
            RawHttp.Response again = c.request("GET", "pp.test", "/two");
            assertThat(again.seen("x-real-ip")).isEqualTo("203.0.113.7");
        }
    }

    @Test
    void v2HeaderGivesTheClientAddress() throws Exception {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        h.write(0x21); // version 2, PROXY
        h.write(0x11); // TCP over IPv4
        h.writeBytes(new byte[] {0, 12});
        h.writeBytes(new byte[] {(byte) 198, 51, 100, 9}); // source 198.51.100.9
        h.writeBytes(new byte[] {(byte) 192, 0, 2, 1});
        h.writeBytes(new byte[] {(byte) 0x9c, 0x40, 0, 80});
        try (RawHttp c = new RawHttp(port)) {
            c.socket.getOutputStream().write(h.toByteArray());
            RawHttp.Response r = c.request("GET", "pp.test", "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.seen("x-real-ip")).isEqualTo("198.51.100.9");
        }
    }

    @Test
    void connectionWithoutHeaderIsClosedUnserved() throws Exception {
        int before = backend.requests.get();
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /no-header HTTP/1.1\r\nHost: pp.test\r\n\r\n");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests.get()).isEqualTo(before);
    }
}
