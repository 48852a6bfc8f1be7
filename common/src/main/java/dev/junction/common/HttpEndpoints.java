package dev.junction.common;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The small plain-HTTP side port every long-running component serves ({@code /healthz},
 * {@code /readyz}, {@code /metrics} and the like), on the JDK's {@link HttpServer} with one daemon
 * thread. Each path answers its {@link Response}, computed per request; HEAD gets the headers only;
 * any other path gets 404 {@code not found}.
 */
public final class HttpEndpoints implements AutoCloseable {
    /** Content type of Prometheus text exposition format 0.0.4. */
    public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private HttpEndpoints(HttpServer server) {
        this.server = server;
    }

    /**
     * One answer: status code, Content-Type and body (UTF-8).
     *
     * @param status      HTTP status code
     * @param contentType value of the Content-Type header
     * @param body        response body
     */
    public record Response(int status, String contentType, String body) {
        public Response {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }

        /** A {@code text/plain} answer. */
        public static Response text(int status, String body) {
            return new Response(status, "text/plain; charset=utf-8", body);
        }

        /** A 200 answer in Prometheus text format. */
        public static Response metrics(String body) {
            return new Response(200, PROMETHEUS, body);
        }
    }

    /**
     * Binds {@code address} (port 0 picks a free one) and serves {@code routes}.
     *
     * @param threadName name of the serving thread
     * @param routes     exact path → answer
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static HttpEndpoints start(InetSocketAddress address, String threadName, Map<String, Supplier<Response>> routes) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(routes, "routes");
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("port " + address, e);
        }
        Map<String, Supplier<Response>> copy = Map.copyOf(routes);
        server.createContext("/", exchange -> {
            Supplier<Response> route = copy.get(exchange.getRequestURI().getPath());
            respond(exchange, route == null ? Response.text(404, "not found\n") : route.get());
        });
        server.setExecutor(Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon().factory()));
        server.start();
        return new HttpEndpoints(server);
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, Response response) throws IOException {
        try (exchange) {
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(response.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(response.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
