package dev.junction.images;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * nginx's access log in its predefined {@code combined} format, written to standard output as the
 * official nginx image does ({@code access_log /dev/stdout}; ngx_http_log_module):
 * {@code $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent"}.
 */
final class AccessLog {
    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    private AccessLog() {
    }

    /** One log line for a request and its response. */
    static String line(FullHttpRequest request, FullHttpResponse response, Channel channel, ZonedDateTime now) {
        String remote = channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "-";
        return remote + " - - [" + TIME_LOCAL.format(now) + "] \"" + request.method() + " " + request.uri() + " "
                + request.protocolVersion() + "\" " + response.status().code() + " " + response.content().readableBytes()
                + " \"" + header(request, HttpHeaderNames.REFERER.toString()) + "\" \""
                + header(request, HttpHeaderNames.USER_AGENT.toString()) + "\"";
    }

    /** Writes {@link #line} to {@code out}. */
    static void write(PrintStream out, FullHttpRequest request, FullHttpResponse response, Channel channel) {
        out.println(line(request, response, channel, ZonedDateTime.now()));
    }

    private static String header(FullHttpRequest request, String name) {
        String value = request.headers().get(name);
        return value == null ? "-" : value.replace("\"", "\\x22");
    }
}
