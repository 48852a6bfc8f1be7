package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Response relaying of HTTP/1.1 through the proxy against a scripted endpoint; runs on both the
 * lean path (the default execution) and the codec path ({@code -Djunction.ingress.leanHttp1=false},
 * the {@code codec-path} surefire execution), which must behave the same: interim 1xx heads dropped, large bodies by
 * length and chunked streamed across reads, a close-delimited body to an HTTP/1.0 client, pipelined
 * requests answered in order, and many responses on one connection followed by a HEAD (the
 * client codec's method queue must stay aligned). Malformed endpoint heads → 502 (both paths).
 */
class LeanHttp1Test {
    static MockApi api;
    static Backend backend;
    static IngressController controller;
    static int port;
    static final String BIG = "0123456789abcdef".repeat(12_800);

    @BeforeAll
    static void start() throws Exception {
        api = new MockApi();
        backend = new Backend();
        api.apply(Fixtures.ingressClass("junction", true));
        api.apply(Fixtures.service("default", "lean", "http", 80));
        api.apply(Fixtures.slice("default", "lean-1", "lean", "http", backend.port(), Map.of("127.0.0.1", true)));
        api.apply(ingress("default", "lean").rule("lean.test", path("Prefix", "/", "lean", 80)).build());
        controller = IngressController.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .httpPort(0).httpsPort(-1).healthPort(0).workerThreads(1).build().start();
        port = controller.httpPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.ready()
                && controller.routeTable().lookup("lean.test", "/").isPresent());
    }

    @AfterAll
    static void stop() throws Exception {
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
    void bodiesInterimHeadsAndManyResponsesOnOneConnection() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            RawHttp.Response interim = c.request("GET", "lean.test", "/interim");
            assertThat(interim.status()).isEqualTo(200);
            assertThat(interim.body()).isEqualTo("ok");
            assertThat(interim.header("link")).isNull();

            RawHttp.Response big = c.request("GET", "lean.test", "/big");
            assertThat(big.header("content-length")).isEqualTo(Integer.toString(BIG.length()));
            assertThat(big.body()).isEqualTo(BIG);

            RawHttp.Response bigChunked = c.request("GET", "lean.test", "/big-chunked");
            assertThat(bigChunked.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(bigChunked.header("content-length")).isNull();
            assertThat(bigChunked.body()).isEqualTo(BIG);

            for (int i = 0; i < 80; i++) {
                assertThat(c.request("GET", "lean.test", "/plain").body()).isEqualTo("ok");
            }
            c.send("HEAD /plain HTTP/1.1\r\nHost: lean.test\r\n\r\n");
            assertThat(ScriptedEndpoint.readHead(c.socket.getInputStream())).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 2");
            RawHttp.Response noContent = c.request("GET", "lean.test", "/204");
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(c.request("GET", "lean.test", "/plain").body()).isEqualTo("ok");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /echo/1 HTTP/1.1\r\nHost: lean.test\r\n\r\nGET /echo/2 HTTP/1.1\r\nHost: lean.test\r\n\r\n"
                    + "GET /echo/3 HTTP/1.1\r\nHost: lean.test\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("/echo/1");
            assertThat(c.read().body()).isEqualTo("/echo/2");
            assertThat(c.read().body()).isEqualTo("/echo/3");
        }
    }

    /**
     * Lean request heads, a local 404, then a HEAD (which leaves the lean request path for the rest
     * of the connection) and a request after it, pipelined in one write: answered in order, the
     * HEAD without a body.
     */
    @Test
    void pipelinedLeanRequestsThenAFallbackToTheCodec() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /echo/1 HTTP/1.1\r\nHost: lean.test\r\n\r\n"
                    + "GET /x HTTP/1.1\r\nHost: nowhere.test\r\nConnection: keep-alive\r\n\r\n"
                    + "HEAD /plain HTTP/1.1\r\nHost: lean.test\r\n\r\n"
                    + "GET /echo/4 HTTP/1.1\r\nHost: lean.test\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("/echo/1");
            RawHttp.Response notFound = c.read();
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(ScriptedEndpoint.readHead(c.socket.getInputStream())).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 2");
            assertThat(c.read().body()).isEqualTo("/echo/4");
            assertThat(c.request("GET", "lean.test", "/plain").body()).isEqualTo("ok");
        }
    }

    @Test
    void closeDelimitedBodyToAnHttp10ClientEndsWithTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /until-close HTTP/1.0\r\nHost: lean.test\r\n\r\n");
            String all = new String(c.socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(all).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("\r\nconnection: close\r\n")
                    .doesNotContainIgnoringCase("transfer-encoding").endsWith("\r\n\r\nbye");
        }
    }

    @Test
    void malformedEndpointHeadIs502() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            assertThat(c.request("GET", "lean.test", "/conflict").status()).isEqualTo(502);
            assertThat(c.request("GET", "lean.test", "/plain").body()).isEqualTo("ok");
        }
    }

    /** An endpoint answering bodyless requests with fixed bytes per request-target. */
    static final class Backend extends ScriptedEndpoint {
        Backend() throws IOException {
            super("lean-backend");
        }

        @Override
        protected boolean respond(String head, InputStream in, OutputStream out) throws IOException {
            String target = target(head);
            boolean isHead = head.startsWith("HEAD ");
            switch (target) {
                case "/interim" -> out.write(bytes("HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                case "/big" -> {
                    out.write(bytes("HTTP/1.1 200 OK\r\nContent-Length: " + BIG.length() + "\r\n\r\n"));
                    for (int i = 0; i < BIG.length(); i += 10_000) {
                        out.write(bytes(BIG.substring(i, Math.min(BIG.length(), i + 10_000))));
                        out.flush();
                    }
                }
                case "/big-chunked" -> {
                    out.write(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
                    for (int i = 0; i < BIG.length(); i += 7_000) {
                        String part = BIG.substring(i, Math.min(BIG.length(), i + 7_000));
                        out.write(bytes(Integer.toHexString(part.length()) + "\r\n" + part + "\r\n"));
                        out.flush();
                    }
                    out.write(bytes("0\r\n\r\n"));
                }
                case "/204" -> out.write(bytes("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"));
                case "/conflict" -> {
                    out.write(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok"));
                    out.flush();
                    return false;
                }
                case "/until-close" -> {
                    out.write(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye"));
                    out.flush();
                    return false;
                }
                default -> {
                    if (target.startsWith("/echo/")) {
                        out.write(bytes("HTTP/1.1 200 OK\r\nContent-Length: " + target.length() + "\r\n\r\n" + target));
                    } else {
                        out.write(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + (isHead ? "" : "ok")));
                    }
                }
            }
            return true;
        }
    }
}
