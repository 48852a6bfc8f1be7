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
 * @param podName  the name in {@code targetRef} when it refers to a Pod, else {@code ""} (used by
 *                 CoreDNS's {@code endpoint_pod_names})
 */
public record EndpointRecord(InetAddress address, String hostname, boolean ready, String podName) {
    public EndpointRecord {
        requireNonNull(address, "address");
        requireNonNull(hostname, "hostname");
        requireNonNull(podName, "podName");
    }

    /** An endpoint without a Pod reference. */
    public EndpointRecord(InetAddress address, String hostname, boolean ready) {
        this(address, hostname, ready, "");
    }

    /** The endpoint's DNS label: its hostname, else its address with dashes ({@code 10-244-1-5}). */
    public String label() {
        return label(false);
    }

    /**
     * The endpoint's DNS label (spec 1.1.0 section 2.1, <i>hostname</i>): the {@code hostname}
     * field; else, with {@code endpointPodNames}, the Pod's name when it is a valid DNS label
     * (CoreDNS {@code endpoint_pod_names}); else the address with dashes.
     */
    public String label(boolean endpointPodNames) {
        if (!hostname.isEmpty()) {
            return hostname;
        }
        if (endpointPodNames && !podName.isEmpty() && podName.length() <= 63 && podName.indexOf('.') < 0) {
            return podName;
        }
        return IpLiterals.dashed(address);
    }
}
