package dev.junction.node;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import dev.junction.common.HttpEndpoints;
import dev.junction.common.HttpEndpoints.Response;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Kubelet's healthz endpoint ({@code --healthz-bind-address} 127.0.0.1, {@code --healthz-port}):
 * {@code GET /healthz} and {@code /readyz} → {@code ok}, {@code GET /metrics} → Prometheus text.
 */
final class HealthzServer implements AutoCloseable {
    private final HttpEndpoints server;

    /**
     * @param port    TCP port on 127.0.0.1; 0 picks a free one
     * @param healthy whether to answer 200 (else 500)
     * @throws UncheckedIOException when the port cannot be bound
     */
    HealthzServer(int port, BooleanSupplier healthy, Supplier<String> metrics) {
        Supplier<Response> health = () -> healthy.getAsBoolean() ? Response.text(200, "ok") : Response.text(500, "unhealthy");
        server = HttpEndpoints.start(new InetSocketAddress("127.0.0.1", port), "kubelet-healthz", Map.of(
                "/healthz", health,
                "/readyz", health,
                "/metrics", () -> Response.metrics(metrics.get())));
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
