package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Plain-HTTP {@code /healthz} (always {@code ok}), {@code /readyz} ({@code ok} once the controllers
 * started, else 503) and {@code /metrics} (Prometheus text), like kube-controller-manager's endpoints
 * on port 10257 (which upstream serves over HTTPS).
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    /** @throws IOException when {@code address} cannot be bound */
    HealthServer(InetSocketAddress address, BooleanSupplier ready, Supplier<String> metrics) throws IOException {
        requireNonNull(address, "address");
        server = HttpServer.create(address, 16);
        server.createContext("/healthz", ex -> reply(ex, 200, "text/plain", "ok"));
        server.createContext("/readyz", ex -> reply(ex, ready.getAsBoolean() ? 200 : 503, "text/plain",
                ready.getAsBoolean() ? "ok" : "informers not synced"));
        server.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4", metrics.get()));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "controllers-health");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
