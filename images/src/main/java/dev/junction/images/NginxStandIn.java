package dev.junction.images;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Stand-in for the public {@code nginx} image with its stock configuration: every path answers
 * {@code 200} with nginx's default "Welcome to nginx!" page ({@code text/html}, {@code Server: nginx}),
 * {@code HEAD} gives the same headers without a body, connections are HTTP/1.1 keep-alive.
 * Reference: the stock {@code /usr/share/nginx/html/index.html} of the docker-library nginx image.
 * Unlike real nginx this never answers 404: the page is served for any path.
 */
public final class NginxStandIn {

    /** The body served for every request (UTF-8, 615 bytes like nginx 1.2x). */
    public static final String WELCOME_PAGE = """
            <!DOCTYPE html>
            <html>
            <head>
            <title>Welcome to nginx!</title>
            <style>
            html { color-scheme: light dark; }
            body { width: 35em; margin: 0 auto;
            font-family: Tahoma, Verdana, Arial, sans-serif; }
            </style>
            </head>
            <body>
            <h1>Welcome to nginx!</h1>
            <p>If you see this page, the nginx web server is successfully installed and
            working. Further configuration is required.</p>

            <p>For online documentation and support please refer to
            <a href="http://nginx.org/">nginx.org</a>.<br/>
            Commercial support is available at
            <a href="http://nginx.com/">nginx.com</a>.</p>

            <p><em>Thank you for using nginx.</em></p>
            </body>
            </html>
            """;

    private static final byte[] PAGE = WELCOME_PAGE.getBytes(StandardCharsets.UTF_8);

    private NginxStandIn() {
    }

    /**
     * Starts serving on {@code host:port} for each port (0 = ephemeral).
     *
     * @throws IllegalArgumentException for an empty list or a port outside 0..65535
     * @throws IllegalStateException    when a port cannot be bound
     */
    public static StandInServer start(InetAddress host, List<Integer> ports) {
        requireNonNull(host, "host");
        requireNonNull(ports, "ports");
        return StandInServer.start(host, ports, (request, channel) -> {
            FullHttpResponse response = respond(request, channel);
            AccessLog.write(System.out, request, response, channel);
            return response;
        });
    }

    static FullHttpResponse respond(FullHttpRequest request, Channel channel) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(PAGE));
        response.headers()
                .set(HttpHeaderNames.SERVER, "nginx")
                .set(HttpHeaderNames.DATE, DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)))
                .set(HttpHeaderNames.CONTENT_TYPE, "text/html")
                .set(HttpHeaderNames.CONTENT_LENGTH, PAGE.length)
                .set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        return response;
    }
}
