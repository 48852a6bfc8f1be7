package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ControllersCommandTest {
    @Test
    void parsesServerAndKubeconfig() {
        ControllersCommand command = new ControllersCommand();
        new CommandLine(command).parseArgs("--server", "http://172.30.0.10:6443", "--kubeconfig", "/tmp/kc");
        assertThat(command.server).hasValue("http://172.30.0.10:6443");
        assertThat(command.kubeconfig).hasValue(Path.of("/tmp/kc"));
        assertThat(command.healthPort).isEqualTo(10257);
        assertThat(new CommandLine(new ControllersCommand()).getCommandName()).isEqualTo("controllers");
    }

    @Test
    void healthServerAnswersHealthReadinessAndMetrics() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        try (HealthServer server = new HealthServer(new java.net.InetSocketAddress("127.0.0.1", 0), ready::get,
                () -> "workqueue_depth{name=\"x\"} 0\n")) {
            var http = java.net.http.HttpClient.newHttpClient();
            java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://127.0.0.1:" + server.port() + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThat(get.apply("/healthz").statusCode()).isEqualTo(200);
            assertThat(get.apply("/readyz").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get.apply("/readyz").statusCode()).isEqualTo(200);
            assertThat(get.apply("/metrics").body()).contains("workqueue_depth{name=\"x\"} 0");
        }
    }
}
