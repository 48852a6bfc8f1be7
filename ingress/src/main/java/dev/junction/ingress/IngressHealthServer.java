package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import dev.junction.common.HttpEndpoints;
import dev.junction.common.HttpEndpoints.Response;
import java.util.Map;

/**
 * The controller's side port (ingress-nginx's 10254): {@code GET /healthz} → 200 {@code ok} once the
 * informers synced and the first route table is live, else 503 (the Deployment's readinessProbe);
 * {@code GET /metrics} → Prometheus text ({@link IngressMetrics}); other paths → 404.
 */
final class IngressHealthServer implements AutoCloseable {
    private final HttpEndpoints server;

    private IngressHealthServer(HttpEndpoints server) {
        this.server = server;
    }

    /**
     * @throws UncheckedIOException when the address cannot be bound
     */
    static IngressHealthServer start(InetSocketAddress address, BooleanSupplier ready, Supplier<String> metrics) {
        requireNonNull(address, "address");
        HttpEndpoints server = HttpEndpoints.start(address, "ingress-health", Map.of(
                "/healthz", () -> ready.getAsBoolean() ? Response.text(200, "ok\n") : Response.text(503, "not synced\n"),
                "/metrics", () -> Response.metrics(metrics.get())));
        return new IngressHealthServer(server);
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
