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
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stand-in for {@code traefik/whoami} (github.com/traefik/whoami, {@code app.go} {@code whoamiHandler}):
 * every path except {@code /health} answers {@code 200 text/plain} with
 * <pre>
 * Name: &lt;name&gt;            (only when a name is configured, like whoami's -name)
 * Hostname: &lt;hostname&gt;
 * IP: &lt;address&gt;           (one line per address of every interface, 127.0.0.1 included)
 * RemoteAddr: &lt;ip:port&gt;
 * GET /path?query HTTP/1.1
 * Host: &lt;host&gt;
 * &lt;Header-Name&gt;: &lt;value&gt;   (every other request header, in arrival order)
 * </pre>
 * {@code /health} answers {@code 200} with an empty body; {@code /echo} upgrades to a WebSocket that
 * echoes every message back, as whoami's {@code echoHandler} does. The hostname is read from the UTS
 * namespace ({@code /proc/sys/kernel/hostname}), so a pod started under {@code unshare --uts}
 * reports its pod hostname.
 */
public final class WhoamiStandIn {

    private WhoamiStandIn() {
    }

    /**
     * Starts serving on {@code host:port} for each port (0 = ephemeral).
     *
     * @param name value of the {@code Name:} line; empty for none
     * @throws IllegalArgumentException for an empty list or a port outside 0..65535
     * @throws IllegalStateException    when a port cannot be bound
     */
    public static StandInServer start(InetAddress host, List<Integer> ports, Optional<String> name) {
        requireNonNull(host, "host");
        requireNonNull(ports, "ports");
        requireNonNull(name, "name");
        String hostname = hostname();
        return StandInServer.start(host, ports, (request, channel) -> respond(request, channel, hostname, name), Optional.of("/echo"));
    }

    /** The hostname of this process's UTS namespace. */
    static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | UncheckedIOException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "localhost";
            }
        }
    }

    /** Every address of every interface, IPv6 without zone suffix. */
    static List<String> interfaceAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    String text = address.getHostAddress();
                    int zone = text.indexOf('%');
                    if (address instanceof Inet6Address && zone >= 0) {
                        text = text.substring(0, zone);
                    }
                    out.add(text);
                }
            }
        } catch (SocketException e) {
            // no interfaces readable: report none, like whoami does on error
        }
        return out;
    }

    static FullHttpResponse respond(FullHttpRequest request, Channel channel, String hostname, Optional<String> name) {
        String path = new QueryStringDecoder(request.uri()).path();
        if ("/health".equals(path)) {
            FullHttpResponse health = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
            health.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            return health;
        }
        StringBuilder body = new StringBuilder();
        name.filter(n -> !n.isEmpty()).ifPresent(n -> body.append("Name: ").append(n).append('\n'));
        body.append("Hostname: ").append(hostname).append('\n');
        for (String ip : interfaceAddresses()) {
            body.append("IP: ").append(ip).append('\n');
        }
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        String remoteIp = remote.getAddress().getHostAddress();
        body.append("RemoteAddr: ")
                .append(remote.getAddress() instanceof Inet6Address ? "[" + remoteIp + "]" : remoteIp)
                .append(':').append(remote.getPort()).append('\n');
        body.append(request.method().name()).append(' ').append(request.uri()).append(' ')
                .append(request.protocolVersion().text()).append('\n');
        String hostHeader = request.headers().get(HttpHeaderNames.HOST);
        if (hostHeader != null) {
            body.append("Host: ").append(hostHeader).append('\n');
        }
        for (Map.Entry<String, String> header : request.headers()) {
            if (!header.getKey().equalsIgnoreCase("host")) {
                body.append(header.getKey()).append(": ").append(header.getValue()).append('\n');
            }
        }
        body.append('\n');
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }
}
