package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import dev.junction.common.HttpEndpoints;
import dev.junction.common.HttpEndpoints.Response;
import java.util.Map;

/**
 * The side HTTP port of the DNS server (CoreDNS's {@code health}, {@code ready} and
 * {@code prometheus} plugins on one port): {@code GET /healthz} → 200 {@code OK} while the process
 * runs; {@code GET /readyz} → 200 once the informers synced, else 503; {@code GET /metrics} →
 * Prometheus text ({@code text/plain; version=0.0.4}). Other paths → 404.
 */
public final class DnsHealthServer implements AutoCloseable {
    private final HttpEndpoints server;

    private DnsHealthServer(HttpEndpoints server) {
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
        HttpEndpoints server = HttpEndpoints.start(address, "dns-health", Map.of(
                "/healthz", () -> Response.text(200, "OK\n"),
                "/readyz", () -> ready.getAsBoolean() ? Response.text(200, "OK\n") : Response.text(503, "informers not synced\n"),
                "/metrics", () -> Response.metrics(metrics.get())));
        return new DnsHealthServer(server);
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
