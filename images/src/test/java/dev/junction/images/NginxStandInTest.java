package dev.junction.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NginxStandInTest {
    private StandInServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = NginxStandIn.start(InetAddress.getLoopbackAddress(), List.of(0, 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesWelcomePageOnEveryPortAndPath() throws Exception {
        for (var address : server.localAddresses()) {
            for (String path : List.of("/", "/index.html", "/no/such/thing?x=1")) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + address.getPort() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("server")).hasValue("nginx");
                assertThat(response.headers().firstValue("content-type")).hasValue("text/html");
                assertThat(response.body()).contains("<title>Welcome to nginx!</title>");
            }
        }
    }

    @Test
    void headHasHeadersWithoutBody() throws Exception {
        int port = server.localAddresses().get(0).getPort();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-length"))
                .hasValue(String.valueOf(NginxStandIn.WELCOME_PAGE.getBytes(StandardCharsets.UTF_8).length));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void keepsConnectionAliveAcrossRequests() throws Exception {
        int port = server.localAddresses().get(0).getPort();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < 2; i++) {
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
                int length = -1;
                for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                char[] body = new char[length]; // the page is ASCII: chars == bytes
                int read = 0;
                while (read < length) {
                    read += in.read(body, read, length - read);
                }
                assertThat(new String(body)).endsWith("</html>\n");
            }
        }
    }
}
