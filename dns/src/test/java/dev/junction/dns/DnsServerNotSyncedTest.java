package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Before the informers' first list the server still answers, but says SERVFAIL where it would say
 * NXDOMAIN, and {@code /readyz} is 503. The API server here accepts connections and never replies.
 */
class DnsServerNotSyncedTest {
    private ServerSocket silentApi;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private Thread acceptor;
    private KubernetesClient client;
    private DnsServer dns;

    @BeforeEach
    void start() throws IOException {
        silentApi = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().start(() -> {
            while (!silentApi.isClosed()) {
                try {
                    accepted.add(silentApi.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });
        client = KubeClients.create(Optional.of("http://127.0.0.1:" + silentApi.getLocalPort()), Optional.empty());
        dns = DnsServer.builder().client(client).bindAddress(InetAddress.getLoopbackAddress()).port(0).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        dns.close();
        client.close();
        silentApi.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join();
    }

    @Test
    void unknownNamesAreServfailUntilTheFirstSync() throws IOException {
        DnsTestClient c = new DnsTestClient(dns.port());
        assertThat(dns.ready()).isFalse();
        Message r = c.udp("web.default.svc.cluster.local", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(r.getSection(Section.AUTHORITY)).isEmpty();
        assertThat(c.tcp("web.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        // The zone's own records do not depend on the API.
        assertThat(c.udp("dns-version.cluster.local", Type.TXT).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(c.udp("cluster.local", Type.SOA).getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void anApiServerThatComesUpLateIsSyncedWithoutARestart() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (KubernetesClient lateClient = KubeClients.create(Optional.of("http://127.0.0.1:" + port), Optional.empty());
             DnsServer late = DnsServer.builder().client(lateClient).bindAddress(InetAddress.getLoopbackAddress())
                     .port(0).build().start()) {
            DnsTestClient c = new DnsTestClient(late.port());
            assertThat(c.udp("web.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
            try (MockApi api = new MockApi(port)) {
                api.clusterIp("default", "web", List.of("10.96.0.20"), MockApi.port("http", "TCP", 80));
                await().atMost(Duration.ofSeconds(60)).until(late::ready);
                // The Service may come in the first list or as a watch event right after it.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        DnsTestClient.rdata(c.udp("web.default.svc.cluster.local", Type.A), Section.ANSWER))
                        .containsExactly("10.96.0.20"));
                assertThat(c.udp("nope.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            }
        }
    }

    @Test
    void readyzIsUnavailableUntilTheFirstSync() throws Exception {
        try (DnsHealthServer health = DnsHealthServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dns);
             HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + health.port();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
