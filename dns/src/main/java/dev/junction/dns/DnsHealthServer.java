package dev.junction.dns;

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
 * The side HTTP port of the DNS server (CoreDNS's {@code health}, {@code ready} and
 * {@code prometheus} plugins on one port): {@code GET /healthz} → 200 {@code OK} while the process
 * runs; {@code GET /readyz} → 200 once the informers synced, else 503; {@code GET /metrics} →
 * Prometheus text ({@code text/plain; version=0.0.4}). Other paths → 404.
 */
public final class DnsHealthServer implements AutoCloseable {
    private final HttpServer server;

    private DnsHealthServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving {@code dns}'s health, readiness and metrics.
     *
     * @param address where to listen; port 0 picks an ephemeral port (see {@link #port()})
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static DnsHealthServer start(InetSocketAddress address, DnsServer dns) {
        requireNonNull(dns, "dns");
        return start(address, dns::ready, () -> dns.metrics().render());
    }

    /** As {@link #start(InetSocketAddress, DnsServer)}, from plain suppliers. */
    public static DnsHealthServer start(InetSocketAddress address, BooleanSupplier ready, Supplier<String> metrics) {
        requireNonNull(address, "address");
        requireNonNull(ready, "ready");
        requireNonNull(metrics, "metrics");
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("health port: " + address, e);
        }
        server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "OK\n"));
        server.createContext("/readyz", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain", ok ? "OK\n" : "informers not synced\n");
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.createContext("/", ex -> respond(ex, 404, "text/plain", "not found\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(Thread.ofPlatform().name("dns-health").daemon().factory()));
        server.start();
        return new DnsHealthServer(server);
    }

    /** The bound port. */
    public int port() {
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
