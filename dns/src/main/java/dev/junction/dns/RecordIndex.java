package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;

/**
 * An immutable snapshot of every name Junction answers for: the cluster zone and the reverse
 * (PTR) names of cluster IPs and headless endpoints. Built by {@link RecordIndexBuilder}, published
 * by {@link DnsController} with one atomic reference swap, so lookups never lock.
 *
 * <p>Keys are dnsjava {@link Name}s, whose {@code equals}/{@code hashCode} ignore ASCII case, so a
 * lookup is case-insensitive as RFC 4343 requires.
 */
public final class RecordIndex {
    private final Name zone;
    private final long ttl;
    private final SOARecord soa;
    private final Map<Name, NameEntry> names;
    private final boolean synced;

    RecordIndex(Name zone, long ttl, SOARecord soa, Map<Name, NameEntry> names, boolean synced) {
        this.zone = requireNonNull(zone, "zone");
        this.ttl = ttl;
        this.soa = requireNonNull(soa, "soa");
        this.names = requireNonNull(names, "names");
        this.synced = synced;
    }

    /** The cluster zone, absolute, e.g. {@code cluster.local.}. */
    public Name zone() {
        return zone;
    }

    /** The TTL of every record, in seconds. */
    public long ttl() {
        return ttl;
    }

    /** The zone's SOA record (authority section of negative answers). */
    public SOARecord soa() {
        return soa;
    }

    /** Whether the informers had completed their first full list when this snapshot was built. */
    public boolean synced() {
        return synced;
    }

    /** The number of owner names, including empty non-terminals. */
    public int size() {
        return names.size();
    }

    /** The entry at {@code name} (case-insensitive), or empty when the name does not exist. */
    public Optional<NameEntry> lookup(Name name) {
        return Optional.ofNullable(names.get(requireNonNull(name, "name")));
    }

    /** Hot-path variant of {@link #lookup}: {@code null} when absent. */
    NameEntry entry(Name name) {
        return names.get(name);
    }
}
