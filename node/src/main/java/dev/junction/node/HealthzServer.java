package dev.junction.node;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Kubelet's healthz endpoint ({@code --healthz-bind-address} 127.0.0.1, {@code --healthz-port}):
 * {@code GET /healthz} and {@code /readyz} → {@code ok}, {@code GET /metrics} → Prometheus text.
 */
final class HealthzServer implements AutoCloseable {
    private final HttpServer server;

    /**
     * @param port    TCP port on 127.0.0.1; 0 picks a free one
     * @param healthy whether to answer 200 (else 500)
     * @throws UncheckedIOException when the port cannot be bound
     */
    HealthzServer(int port, BooleanSupplier healthy, java.util.function.Supplier<String> metrics) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("healthz port " + port, e);
        }
        for (String path : new String[] {"/healthz", "/readyz"}) {
            server.createContext(path, exchange -> {
                boolean ok = healthy.getAsBoolean();
                respond(exchange, ok ? 200 : 500, "text/plain; charset=utf-8", ok ? "ok" : "unhealthy");
            });
        }
        server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.setExecutor(null);
        server.start();
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int code, String type, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
