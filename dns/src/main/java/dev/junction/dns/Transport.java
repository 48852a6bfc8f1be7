package dev.junction.dns;

/** The transport a query arrived on; it decides the response size limit. */
public enum Transport {
    /** RFC 1035 section 4.2.1: 512 bytes, or the EDNS0 payload size the client advertises. */
    UDP,
    /** RFC 7766: 2-byte length prefix, up to 65535 bytes. */
    TCP;

    /** The Prometheus label value: {@code udp} or {@code tcp}. */
    public String label() {
        return this == UDP ? "udp" : "tcp";
    }
}
