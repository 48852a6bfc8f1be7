package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import dev.junction.common.HttpEndpoints;
import dev.junction.common.HttpEndpoints.Response;
import java.util.Map;

/**
 * Plain-HTTP {@code /healthz} (always {@code ok}), {@code /readyz} ({@code ok} once the controllers
 * started, else 503) and {@code /metrics} (Prometheus text), like kube-controller-manager's endpoints
 * on port 10257 (which upstream serves over HTTPS).
 */
final class HealthServer implements AutoCloseable {
    private final HttpEndpoints server;

    /** @throws UncheckedIOException when {@code address} cannot be bound */
    HealthServer(InetSocketAddress address, BooleanSupplier ready, Supplier<String> metrics) {
        requireNonNull(address, "address");
        server = HttpEndpoints.start(address, "controllers-health", Map.of(
                "/healthz", () -> Response.text(200, "ok"),
                "/readyz", () -> ready.getAsBoolean() ? Response.text(200, "ok") : Response.text(503, "informers not synced"),
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
