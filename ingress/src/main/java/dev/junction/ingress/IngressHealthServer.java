package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The controller's side port (ingress-nginx's 10254): {@code GET /healthz} → 200 {@code ok} once the
 * informers synced and the first route table is live, else 503 (the Deployment's readinessProbe);
 * {@code GET /metrics} → Prometheus text ({@link IngressMetrics}); other paths → 404.
 */
final class IngressHealthServer implements AutoCloseable {
    private final HttpServer server;

    private IngressHealthServer(HttpServer server) {
        this.server = server;
    }

    /**
     * @throws UncheckedIOException when the address cannot be bound
     */
    static IngressHealthServer start(InetSocketAddress address, BooleanSupplier ready, Supplier<String> metrics) {
        requireNonNull(address, "address");
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("health port: " + address, e);
        }
        server.createContext("/healthz", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "not synced\n");
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.createContext("/", ex -> respond(ex, 404, "text/plain", "not found\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(Thread.ofPlatform().name("ingress-health").daemon().factory()));
        server.start();
        return new IngressHealthServer(server);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
