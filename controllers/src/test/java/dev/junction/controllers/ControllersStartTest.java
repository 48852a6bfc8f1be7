package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ControllersStartTest {
    @Test
    void startFailsWhenNoApiServerAnswers() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var config = new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                .withMasterUrl("http://127.0.0.1:" + port).withRequestRetryBackoffLimit(0).build();
        try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build()) {
            assertThatThrownBy(() -> Controllers.start(client)).isInstanceOf(IllegalStateException.class);
        }
    }
}
