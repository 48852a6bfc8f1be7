package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A real socket on loopback. */
class MetricsServerTest {
    @Test
    void servesMetricsAndHealthz() throws Exception {
        ProxyMetrics metrics = new ProxyMetrics(Clock.systemUTC(), Duration.ofSeconds(60));
        metrics.synced(Duration.ofMillis(3), System.currentTimeMillis());
        try (MetricsServer server = MetricsServer.start("127.0.0.1:0", metrics);
                HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.body()).contains("kubeproxy_sync_proxy_rules_duration_seconds_count 1\n")
                    .contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.004\"} 1\n")
                    .contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.002\"} 0\n");
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(h.statusCode()).isEqualTo(200);
            assertThat(h.body()).startsWith("{\"lastUpdated\": ");
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
        }
    }
}
