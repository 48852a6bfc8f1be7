package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watch semantics over real sockets: chunked JSON lines, WebSocket frames, resourceVersion, selectors, 410. */
class ApiServerWatchTest {
    @TempDir
    static Path dir;
    static ApiServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        server = ApiServer.builder().dataDir(dir).bindAddress("127.0.0.1").port(0).advertiseAddress("127.0.0.1")
                .watchWindow(5).changeLogRetention(20).build().start();
        http = new TestHttp(server.url());
        http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"w\"}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void watchFromResourceVersionSeesEveryLaterChangeInOrder() throws Exception {
        String rv = http.post("/api/v1/namespaces/w/configmaps", "{\"metadata\":{\"name\":\"a\"}}").body()
                .at("/metadata/resourceVersion").asText();
        http.patch("/api/v1/namespaces/w/configmaps/a", "application/merge-patch+json", "{\"data\":{\"k\":\"1\"}}");
        http.post("/api/v1/namespaces/w/configmaps", "{\"metadata\":{\"name\":\"b\"}}");
        http.delete("/api/v1/namespaces/w/configmaps/a");
        List<JsonNode> events = readEvents("/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=" + rv + "&timeoutSeconds=1", 3);
        assertThat(events).extracting(e -> e.path("type").asText() + " " + e.at("/object/metadata/name").asText())
                .containsExactly("MODIFIED a", "ADDED b", "DELETED a");
        long deletedAt = events.get(2).at("/object/metadata/resourceVersion").asLong();
        assertThat(deletedAt).isGreaterThan(events.get(1).at("/object/metadata/resourceVersion").asLong());
    }

    @Test
    void watchWithoutResourceVersionStartsWithSyntheticAddsAndHonoursSelectors() throws Exception {
        http.post("/api/v1/namespaces/w/services", "{\"metadata\":{\"name\":\"s1\",\"labels\":{\"tier\":\"fe\"}},\"spec\":{\"ports\":[{\"port\":80}]}}");
        http.post("/api/v1/namespaces/w/services", "{\"metadata\":{\"name\":\"s2\",\"labels\":{\"tier\":\"be\"}},\"spec\":{\"ports\":[{\"port\":80}]}}");
        HttpResponse<InputStream> res = http.client().send(HttpRequest.newBuilder(URI.create(http.base()
                + "/api/v1/namespaces/w/services?watch=1&labelSelector=tier%3Dfe&timeoutSeconds=5")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            JsonNode first = Json.MAPPER.readTree(r.readLine());
            assertThat(first.path("type").asText()).isEqualTo("ADDED");
            assertThat(first.at("/object/metadata/name").asText()).isEqualTo("s1");
            // s1 leaves the selector: DELETED; s2 enters it: ADDED
            http.patch("/api/v1/namespaces/w/services/s1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"tier\":\"x\"}}}");
            http.patch("/api/v1/namespaces/w/services/s2", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"tier\":\"fe\"}}}");
            JsonNode left = Json.MAPPER.readTree(r.readLine());
            JsonNode entered = Json.MAPPER.readTree(r.readLine());
            assertThat(left.path("type").asText() + " " + left.at("/object/metadata/name").asText()).isEqualTo("DELETED s1");
            assertThat(entered.path("type").asText() + " " + entered.at("/object/metadata/name").asText()).isEqualTo("ADDED s2");
        }
    }

    @Test
    void sendInitialEventsEndsWithAnAnnotatedBookmark() throws Exception {
        http.post("/api/v1/namespaces/w/serviceaccounts", "{\"metadata\":{\"name\":\"sa1\"}}");
        List<JsonNode> events = readEvents("/api/v1/namespaces/w/serviceaccounts?watch=1&allowWatchBookmarks=true"
                + "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1", 2);
        assertThat(events.get(0).path("type").asText()).isEqualTo("ADDED");
        assertThat(events.get(1).path("type").asText()).isEqualTo("BOOKMARK");
        assertThat(events.get(1).at("/object/metadata/annotations/k8s.io~1initial-events-end").asText()).isEqualTo("true");
        assertThat(events.get(1).at("/object/metadata/resourceVersion").asLong())
                .isGreaterThanOrEqualTo(events.get(0).at("/object/metadata/resourceVersion").asLong());
    }

    @Test
    void tooOldResourceVersionIsGone() {
        for (int i = 0; i < 30; i++) {
            http.post("/api/v1/namespaces/w/configmaps", "{\"metadata\":{\"name\":\"old-" + i + "\"}}");
        }
        TestHttp.Response r = http.get("/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=2");
        assertThat(r.code()).isEqualTo(410);
        assertThat(r.body().path("kind").asText()).isEqualTo("Status");
        assertThat(r.body().path("reason").asText()).isEqualTo("Expired");
        assertThat(r.body().path("code").asInt()).isEqualTo(410);
    }

    @Test
    void websocketWatchSendsOneEventPerTextFrame() throws Exception {
        http.post("/api/v1/namespaces/w/endpoints", "{\"metadata\":{\"name\":\"e1\"}}");
        LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket ws = http.client().newWebSocketBuilder().buildAsync(URI.create(http.base().replace("http://", "ws://")
                + "/api/v1/namespaces/w/endpoints?watch=true"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            JsonNode added = Json.MAPPER.readTree(frames.poll(10, TimeUnit.SECONDS));
            assertThat(added.path("type").asText()).isEqualTo("ADDED");
            assertThat(added.at("/object/metadata/name").asText()).isEqualTo("e1");
            http.delete("/api/v1/namespaces/w/endpoints/e1");
            JsonNode deleted = Json.MAPPER.readTree(frames.poll(10, TimeUnit.SECONDS));
            assertThat(deleted.path("type").asText()).isEqualTo("DELETED");
        } finally {
            ws.abort();
        }
    }

    @Test
    void unixSocketServesTheSameApi(@TempDir Path sockDir) throws Exception {
        Path sock = sockDir.resolve("api.sock");
        try (ApiServer s = ApiServer.builder().dataDir(sockDir.resolve("data")).bindAddress("127.0.0.1").port(0)
                .unixSocket(sock).build().start();
                java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
            ch.write(StandardCharsets.US_ASCII.encode("GET /api/v1/namespaces/kube-system HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            StringBuilder sb = new StringBuilder();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                buf.flip();
                sb.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            assertThat(sb.toString()).startsWith("HTTP/1.1 200 OK").contains("\"name\":\"kube-system\"");
            assertThat(s.port()).isPositive();
        }
    }

    private static List<JsonNode> readEvents(String path, int count) throws Exception {
        HttpResponse<InputStream> res = http.client().send(HttpRequest.newBuilder(URI.create(http.base() + path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            String line;
            while (out.size() < count && (line = r.readLine()) != null) {
                out.add(Json.MAPPER.readTree(line));
            }
        }
        return out;
    }
}
