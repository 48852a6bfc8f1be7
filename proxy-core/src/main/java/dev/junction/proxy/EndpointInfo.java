package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One endpoint of one Service port, as upstream {@code BaseEndpointInfo} (pkg/proxy/endpoint.go),
 * built from an EndpointSlice endpoint and port.
 *
 * @param ip          IPv4 address of the endpoint
 * @param port        target port (1..65535)
 * @param ready       {@code conditions.ready} (nil means true)
 * @param serving     {@code conditions.serving} (nil means the value of ready)
 * @param terminating {@code conditions.terminating} (nil means false)
 * @param nodeName    {@code nodeName} of the endpoint, when set
 * @param isLocal     true when nodeName equals the proxy's node name
 */
public record EndpointInfo(String ip, int port, boolean ready, boolean serving, boolean terminating,
        Optional<String> nodeName, boolean isLocal) implements Comparable<EndpointInfo> {

    public EndpointInfo {
        requireNonNull(ip, "ip");
        requireNonNull(nodeName, "nodeName");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    /** A ready, serving, non-terminating endpoint on an unknown node. */
    public static EndpointInfo ready(String ip, int port) {
        return new EndpointInfo(ip, port, true, true, false, Optional.empty(), false);
    }

    /** {@code ip:port} ({@code [ip]:port} for IPv6), as upstream {@code BaseEndpointInfo.String()}. */
    public String endpoint() {
        return ip.contains(":") ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /** Upstream's order for endpoint lists: by {@link #endpoint()} string. */
    @Override
    public int compareTo(EndpointInfo other) {
        return endpoint().compareTo(other.endpoint());
    }
}
