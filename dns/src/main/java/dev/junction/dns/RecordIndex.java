package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;

/**
 * Every name Junction answers for: the cluster zones and the reverse (PTR) names of cluster IPs
 * and headless endpoints. Built by {@link RecordIndexBuilder} (an immutable snapshot) or backed by
 * the {@link DnsController}'s {@link LiveIndex} (names updated in place, each atomically; SOA
 * serial and sync state fixed per published object, swapped with one atomic reference write), so
 * lookups never lock.
 *
 * <p>Keys are dnsjava {@link Name}s, whose {@code equals}/{@code hashCode} ignore ASCII case, so a
 * lookup is case-insensitive as RFC 4343 requires.
 */
public final class RecordIndex {
    private final IndexOptions options;
    private final List<SOARecord> soas;
    private final Map<Name, NameEntry> names;
    private final Map<WireKey, NameEntry> byWire;
    private final boolean synced;
    /** The SOA records' wire forms (full owner, uncompressed), for the fast path. */
    private final byte[][] soaWires;

    RecordIndex(IndexOptions options, List<SOARecord> soas, Map<Name, NameEntry> names, boolean synced) {
        this(options, soas, names, null, synced);
    }

    /** @param byWire the same entries keyed by wire form, or {@code null} (lookups by wire then miss) */
    RecordIndex(IndexOptions options, List<SOARecord> soas, Map<Name, NameEntry> names, Map<WireKey, NameEntry> byWire,
            boolean synced) {
        this.options = requireNonNull(options, "options");
        this.soas = List.copyOf(requireNonNull(soas, "soas"));
        this.names = requireNonNull(names, "names");
        this.byWire = byWire;
        this.synced = synced;
        this.soaWires = new byte[this.soas.size()][];
        for (int i = 0; i < soaWires.length; i++) {
            soaWires[i] = this.soas.get(i).toWire(org.xbill.DNS.Section.AUTHORITY);
        }
    }

    /** The wire form of the SOA of {@code zone} (one of {@link #zones()}), else of the first zone. */
    byte[] soaWire(Name zone) {
        List<Name> zones = options.zones();
        for (int i = 0; i < zones.size(); i++) {
            if (zones.get(i) == zone) {
                return soaWires[i];
            }
        }
        return soaWires[0];
    }

    /** The first cluster zone, absolute, e.g. {@code cluster.local.}. */
    public Name zone() {
        return options.primaryZone();
    }

    /** All cluster zones, absolute. */
    public List<Name> zones() {
        return options.zones();
    }

    /** The options the index was compiled with. */
    public IndexOptions options() {
        return options;
    }

    /** The TTL of every record, in seconds. */
    public long ttl() {
        return options.ttl();
    }

    /** The first zone's SOA record. */
    public SOARecord soa() {
        return soas.get(0);
    }

    /** The SOA of the zone that contains {@code name} (the first zone's when none does). */
    public SOARecord soaFor(Name name) {
        List<Name> zones = options.zones();
        for (int i = 0; i < zones.size(); i++) {
            if (name.subdomain(zones.get(i))) {
                return soas.get(i);
            }
        }
        return soas.get(0);
    }

    /** The cluster zone containing {@code name}, or {@code null} (hot path, no Optional). */
    Name zoneOf(Name name) {
        List<Name> zones = options.zones();
        for (int i = 0; i < zones.size(); i++) {
            if (name.subdomain(zones.get(i))) {
                return zones.get(i);
            }
        }
        return null;
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

    /**
     * The entry of the uncompressed name at {@code wire[from, to)} (case-insensitive), or
     * {@code null} when absent or when this index has no wire table (then use {@link #entry}).
     */
    NameEntry entryByWire(byte[] wire, int from, int to) {
        return byWire == null ? null : byWire.get(new WireKey.Probe(wire, from, to));
    }

    /** Hot-path variant of {@link #lookup}: {@code null} when absent. */
    NameEntry entry(Name name) {
        return names.get(name);
    }
}
