package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What every connection handler of one controller shares: the route table, the backend pool, the
 * metrics and the limits.
 *
 * @param routes          the current route table
 * @param pool            backend connections (HTTP/1.1)
 * @param h2pool          backend connections for gRPC (h2c)
 * @param metrics         counters and histograms
 * @param limits          sizes and timeouts
 */
record ProxyContext(RouteTableHolder routes, BackendPool pool, Http2BackendPool h2pool, IngressMetrics metrics,
        Limits limits) {
    ProxyContext {
        requireNonNull(routes, "routes");
        requireNonNull(pool, "pool");
        requireNonNull(h2pool, "h2pool");
        requireNonNull(metrics, "metrics");
        requireNonNull(limits, "limits");
    }

    /**
     * Sizes and timeouts, nginx names in parentheses.
     *
     * @param maxInitialLine   longest request line in bytes → 414 (large_client_header_buffers)
     * @param maxHeaderSize    largest request header block in bytes → 431
     * @param maxBodySize      hard cap on any request body in bytes (the per-Ingress
     *                         proxy-body-size applies below it) → 413
     * @param idleTimeout      keep-alive idle time and the time to receive a complete request head
     *                         (keepalive_timeout / client_header_timeout)
     * @param bodyTimeout      longest pause between two body reads (client_body_timeout) → 408
     * @param connectTimeout   connect to an endpoint (proxy_connect_timeout)
     * @param upstreamTimeout  time for the endpoint to finish its response (proxy_read_timeout) → 504
     */
    record Limits(int maxInitialLine, int maxHeaderSize, long maxBodySize, Duration idleTimeout, Duration bodyTimeout,
            Duration connectTimeout, Duration upstreamTimeout) {
        static final Limits DEFAULTS = new Limits(8192, 16384, 64L * 1024 * 1024, Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(60));
    }
}
