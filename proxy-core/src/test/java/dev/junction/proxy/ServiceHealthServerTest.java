package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The health-check node port server on loopback, with a free port picked by the kernel. */
class ServiceHealthServerTest {
    @Test
    void answersWithLocalEndpointCountAsUpstream() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ServicePortName name = new ServicePortName("default", "web", "http", Protocol.TCP);
        ServicePortInfo svc = ServicePortInfo.clusterIP("10.96.0.5", 80, Protocol.TCP).withNodePort(30080)
                .withPolicies(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER, port);
        EndpointInfo local = new EndpointInfo("10.244.1.2", 80, true, true, false, Optional.of("n"), true);
        EndpointInfo remote = new EndpointInfo("10.244.2.2", 80, true, true, false, Optional.of("m"), false);
        try (ServiceHealthServer server = new ServiceHealthServer("127.0.0.1", () -> true);
                HttpClient http = HttpClient.newHttpClient()) {
            server.sync(new ProxySnapshot(ServicePortMap.of(Map.of(name, svc)), EndpointsMap.of(Map.of(name, List.of(local, remote)))));
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).contains("1");
            assertThat(ok.body()).isEqualTo("{\n\t\"service\": {\n\t\t\"namespace\": \"default\",\n\t\t\"name\": \"web\"\n\t},"
                    + "\n\t\"localEndpoints\": 1,\n\t\"serviceProxyHealthy\": true\n}");

            server.sync(new ProxySnapshot(ServicePortMap.of(Map.of(name, svc)), EndpointsMap.of(Map.of(name, List.of(remote)))));
            HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(503);
            assertThat(none.body()).contains("\"localEndpoints\": 0");

            server.sync(ProxySnapshot.EMPTY);
            assertThat(server.ports()).isEmpty();
        }
    }
}
