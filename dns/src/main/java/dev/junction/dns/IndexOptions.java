package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.xbill.DNS.Name;

/**
 * How Services and EndpointSlices are compiled into records: the record-shaping options of
 * CoreDNS's {@code kubernetes} plugin ({@code plugin/kubernetes/setup.go}).
 *
 * @param zones              the cluster zones, absolute, at least one; every zone carries the
 *                           same records, PTR targets use the first (CoreDNS: several zones in the
 *                           {@code kubernetes} block)
 * @param ttl                the TTL of every record and the SOA minimum, seconds (0-2147483647)
 * @param endpointPodNames   {@code endpoint_pod_names}: an endpoint without {@code hostname} is
 *                           named after its Pod instead of its dashed address
 * @param ignoreEmptyService {@code ignore empty_service}: a ClusterIP Service without ready
 *                           endpoints does not exist (NXDOMAIN)
 */
public record IndexOptions(List<Name> zones, long ttl, boolean endpointPodNames, boolean ignoreEmptyService) {
    /**
     * @throws IllegalArgumentException when {@code zones} is empty or holds a relative name, or
     *                                  {@code ttl} is outside 0-2147483647
     */
    public IndexOptions {
        zones = List.copyOf(requireNonNull(zones, "zones"));
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("zones: [] (expected: at least one zone)");
        }
        for (Name z : zones) {
            if (!z.isAbsolute()) {
                throw new IllegalArgumentException("zone: " + z + " (expected: an absolute name)");
            }
        }
        if (ttl < 0 || ttl > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: 0-2147483647)");
        }
    }

    /** One zone, no extra options. */
    public static IndexOptions of(Name zone, long ttl) {
        return new IndexOptions(List.of(requireNonNull(zone, "zone")), ttl, false, false);
    }

    /** The first zone: PTR targets and {@code ns.dns} live there. */
    public Name primaryZone() {
        return zones.get(0);
    }
}
