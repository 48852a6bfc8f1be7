package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Response framing through the proxy against a scripted endpoint that writes exact bytes: chunked
 * responses, a head whose body arrives later (streamed, not joined), a response delimited by the
 * endpoint closing, and HEAD answered with a chunked head and no body (the next response must
 * not be read as its body) — all on one keep-alive
 * client connection, so a framing mistake shows up in the next response. Also checks the
 * request head the endpoint received (serialised by {@link RequestHeadWriter} for bodyless
 * requests, by Netty's encoder for HEAD and for requests with a body).
 */
class ResponseFramingTest {
    static MockApi api;
    static ScriptedBackend backend;
    static IngressController controller;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        api = new MockApi();
        backend = new ScriptedBackend();
        api.apply(Fixtures.ingressClass("junction", true));
        api.apply(Fixtures.service("default", "raw", "http", 80));
        api.apply(Fixtures.slice("default", "raw-1", "raw", "http", backend.port(), Map.of("127.0.0.1", true)));
        api.apply(ingress("default", "raw").rule("raw.test", path("Prefix", "/", "raw", 80)).build());
        controller = IngressController.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .httpPort(0).httpsPort(-1).healthPort(0).workerThreads(1).build().start();
        port = controller.httpPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> controller.ready()
                && controller.routeTable().lookup("raw.test", "/").isPresent());
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
    void framesSurviveOnOneKeepAliveConnection() throws Exception {
        int before = backend.heads.size();
        try (RawHttp c = new RawHttp(port)) {
            RawHttp.Response chunked = c.request("GET", "raw.test", "/chunked", "Connection: keep-alive, X-Hop", "X-Hop: 1");
            assertThat(chunked.status()).isEqualTo(200);
            assertThat(chunked.body()).isEqualTo("hello world");
            assertThat(chunked.header("x-a")).isEqualTo("1");
            assertThat(chunked.header("keep-alive")).isNull();
            assertThat(chunked.header("x-dropped")).isNull();

            RawHttp.Response split = c.request("GET", "raw.test", "/split");
            assertThat(split.body()).isEqualTo("later");
            assertThat(split.header("content-length")).isEqualTo("5");

            c.send("HEAD /chunked HTTP/1.1\r\nHost: raw.test\r\n\r\n");
            String head = ScriptedEndpoint.readHead(c.socket.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nx-a: 1\r\n");

            RawHttp.Response after = c.request("GET", "raw.test", "/plain");
            assertThat(after.body()).isEqualTo("ok");

            RawHttp.Response eof = c.request("GET", "raw.test", "/until-close");
            assertThat(eof.body()).isEqualTo("bye");
            assertThat(eof.header("transfer-encoding")).isEqualTo("chunked");

            c.send("POST /plain HTTP/1.1\r\nHost: raw.test\r\nContent-Length: 3\r\n\r\nabc");
            RawHttp.Response posted = c.read();
            assertThat(posted.body()).isEqualTo("ok");
        }
        List<String> heads = backend.heads.subList(before, backend.heads.size());
        assertThat(heads.get(0)).startsWith("GET /chunked HTTP/1.1\r\n").containsIgnoringCase("\r\nhost: raw.test\r\n")
                .containsIgnoringCase("\r\nx-forwarded-host: raw.test\r\n").doesNotContainIgnoringCase("x-hop")
                .doesNotContainIgnoringCase("connection").matches("(?s).*\r\nx-request-id: [0-9a-f]{32}\r\n.*");
        assertThat(heads.get(2)).startsWith("HEAD /chunked HTTP/1.1\r\n");
        assertThat(heads).hasSize(6);
    }

    /** RFC 9112 §6.3: Transfer-Encoding overrides Content-Length; the length is not forwarded. */
    @Test
    void chunkedWithAContentLengthIsFramedByTheChunks() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.socket.setSoTimeout(5000);
            RawHttp.Response r = c.request("GET", "raw.test", "/te-and-cl");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello");
            assertThat(r.header("content-length")).isNull();
            assertThat(c.request("GET", "raw.test", "/plain").body()).isEqualTo("ok");
        }
    }

    @Test
    void requestTargetBytesAreForwardedUnchanged() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            RawHttp.Response r = c.request("GET", "raw.test", "/plain/caf\u00e9?q=%20");
            assertThat(r.body()).isEqualTo("ok");
        }
        assertThat(backend.heads).anyMatch(h -> h.startsWith("GET /plain/caf\u00e9?q=%20 HTTP/1.1\r\n"));
    }

    /** An endpoint answering each request (head only; a Content-Length body is read and ignored) with fixed bytes. */
    static final class ScriptedBackend extends ScriptedEndpoint {
        final List<String> heads = new CopyOnWriteArrayList<>();

        ScriptedBackend() throws IOException {
            super("scripted-backend");
        }

        @Override
        protected boolean respond(String head, InputStream in, OutputStream out) throws IOException, InterruptedException {
            heads.add(head);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: (\\d+)").matcher(head);
            if (m.find()) {
                in.readNBytes(Integer.parseInt(m.group(1)));
            }
            String target = target(head);
            boolean isHead = head.startsWith("HEAD ");
            if (target.equals("/chunked")) {
                out.write(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Dropped\r\n"
                        + "X-Dropped: 1\r\nKeep-Alive: timeout=5\r\nX-A: 1\r\n\r\n"
                        + (isHead ? "" : "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")));
            } else if (target.equals("/te-and-cl")) {
                out.write(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n"));
            } else if (target.equals("/split")) {
                out.write(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
                out.flush();
                Thread.sleep(300);
                out.write(bytes("later"));
            } else if (target.equals("/until-close")) {
                out.write(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye"));
                out.flush();
                return false;
            } else {
                out.write(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            }
            return true;
        }
    }
}
