package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A slim, immutable port of a Service or an EndpointSlice: what the DNS answers need and nothing
 * else (the role of CoreDNS's {@code plugin/kubernetes/object} types).
 *
 * @param name     the port name, {@code ""} when unnamed (unnamed ports get no SRV record)
 * @param protocol the protocol in lower case: {@code tcp}, {@code udp} or {@code sctp}
 * @param port     the port number, 1-65535
 */
public record PortRecord(String name, String protocol, int port) {
    /**
     * @throws IllegalArgumentException when {@code port} is outside 1-65535
     */
    public PortRecord {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        // Interned: a handful of distinct values repeated by every Service and EndpointSlice.
        protocol = protocol.toLowerCase(Locale.ROOT).intern();
        name = name.intern();
    }

    /** Whether this port gets an SRV record (the spec only gives SRV records to named ports). */
    public boolean named() {
        return !name.isEmpty();
    }
}
