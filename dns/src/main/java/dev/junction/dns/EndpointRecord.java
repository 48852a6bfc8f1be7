package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;

/**
 * One address of one endpoint in an EndpointSlice, slimmed down for DNS.
 *
 * @param address  the endpoint address
 * @param hostname the endpoint's {@code hostname} field, {@code ""} when unset
 * @param ready    {@code conditions.ready}; an unset condition counts as ready, as the
 *                 EndpointSlice API (KEP-752, {@code discovery.k8s.io/v1}) says consumers should
 */
public record EndpointRecord(InetAddress address, String hostname, boolean ready) {
    public EndpointRecord {
        requireNonNull(address, "address");
        requireNonNull(hostname, "hostname");
    }

    /** The endpoint's DNS label: its hostname, else its address with dashes ({@code 10-244-1-5}). */
    public String label() {
        return hostname.isEmpty() ? IpLiterals.dashed(address) : hostname;
    }
}
