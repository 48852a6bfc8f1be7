package dev.junction.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WhoamiStandInTest {
    private StandInServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() {
        server = WhoamiStandIn.start(InetAddress.getLoopbackAddress(), List.of(0), Optional.of("w1"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void echoesHostAddressesRemoteAndRequest() throws Exception {
        int port = server.localAddresses().get(0).getPort();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a/b?c=d"))
                .header("X-Test", "yes").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        List<String> lines = response.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Name: w1");
        assertThat(lines.get(1)).isEqualTo("Hostname: " + WhoamiStandIn.hostname());
        assertThat(lines).contains("IP: 127.0.0.1");
        assertThat(lines).anyMatch(l -> l.matches("RemoteAddr: 127\\.0\\.0\\.1:\\d+"));
        assertThat(lines).contains("GET /a/b?c=d HTTP/1.1", "Host: 127.0.0.1:" + port, "X-Test: yes");
        assertThat(lines.indexOf("GET /a/b?c=d HTTP/1.1")).isGreaterThan(lines.indexOf("IP: 127.0.0.1"));
    }

    @Test
    void healthAnswers200() throws Exception {
        int port = server.localAddresses().get(0).getPort();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void echoPathIsAWebSocketEcho() throws Exception {
        int port = server.localAddresses().get(0).getPort();
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo"),
                new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(5, java.util.concurrent.TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            ws.sendText("hello " + i, true).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(received.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("hello " + i);
        }
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, java.util.concurrent.TimeUnit.SECONDS);
        // A plain GET on another path is still answered by whoami.
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("GET /x HTTP/1.1");
    }
}
