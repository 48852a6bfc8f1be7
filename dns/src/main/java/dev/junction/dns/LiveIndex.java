package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;

/**
 * The merged name table behind the published {@link RecordIndex}, updated in place one Service
 * fragment at a time, so that a change costs time proportional to the names of the changed
 * Service, not to the whole cluster (a full {@link RecordIndexBuilder#assemble} of 10k Services
 * takes 25-80 ms on the 2-vCPU bench host and allocates a 44k-entry table that is promoted and
 * later collected). The result equals {@code assemble} of the same fragments, up to the order of
 * records merged at names several Services share (an empty non-terminal, a PTR name).
 *
 * <p>Writers: one thread at a time (the {@link DnsController}'s rebuild thread). Readers: any
 * thread, without locks; a reader sees each name either before or after a change (the entry of a
 * name is replaced atomically), and one Service's names change one after another, as with
 * CoreDNS's informer-backed lookups.
 */
final class LiveIndex {
    /** The owner key of the zones' own names (Service keys are {@code ns/name}, never empty). */
    private static final String BASE = "";

    private final IndexOptions options;
    /** Owner key → its names. */
    private final Map<String, Map<Name, NameEntry>> fragments = new HashMap<>();
    /**
     * Name → owner key ({@code String}) or keys ({@code String[]}) contributing records to it.
     * Empty non-terminal contributions (every Service adds its {@code <ns>.svc} node, thousands per
     * name) are only counted in {@link #empties}, so no change ever walks them.
     */
    private final Map<Name, Object> owners = new HashMap<>();
    private final Map<Name, int[]> empties = new HashMap<>();
    private final ConcurrentHashMap<Name, NameEntry> names = new ConcurrentHashMap<>();
    private final Map<Name, NameEntry> view = Collections.unmodifiableMap(names);
    /** The same entries by wire form, for the {@link WireFastPath} (no dnsjava {@code Name} per query). */
    private final ConcurrentHashMap<WireKey, NameEntry> byWire = new ConcurrentHashMap<>();
    private List<SOARecord> soas = List.of();
    private long baseSerial = Long.MIN_VALUE;

    LiveIndex(IndexOptions options) {
        this.options = requireNonNull(options, "options");
    }

    /**
     * Replaces the names of one Service.
     *
     * @param key      the Service key ({@code ns/name})
     * @param fragment its compiled names ({@link RecordIndexBuilder#compile}); {@code null} or
     *                 empty when the Service is gone or publishes nothing
     */
    void put(String key, Map<Name, NameEntry> fragment) {
        requireNonNull(key, "key");
        Map<Name, NameEntry> now = fragment == null || fragment.isEmpty() ? null : fragment;
        Map<Name, NameEntry> before = now == null ? fragments.remove(key) : fragments.put(key, now);
        if (before != null) {
            for (Map.Entry<Name, NameEntry> e : before.entrySet()) {
                if (now == null || !now.containsKey(e.getKey())) {
                    removeContribution(e.getKey(), key, e.getValue());
                    recompute(e.getKey());
                }
            }
        }
        if (now != null) {
            for (Map.Entry<Name, NameEntry> e : now.entrySet()) {
                Name n = e.getKey();
                NameEntry old = before == null ? null : before.get(n);
                if (old != null && isEmpty(old) != isEmpty(e.getValue())) {
                    removeContribution(n, key, old);
                    old = null;
                }
                if (old == null) {
                    addContribution(n, key, e.getValue());
                }
                recompute(n);
            }
        }
    }

    /**
     * The index to publish: the live names with the zones' own names for {@code serial}.
     *
     * @param serial the SOA serial (Unix seconds of the last API change)
     * @param synced whether the informers have completed their first full list
     */
    RecordIndex publish(long serial, boolean synced) {
        if (serial != baseSerial) {
            RecordIndexBuilder.Base base = RecordIndexBuilder.base(options, serial);
            put(BASE, base.names());
            soas = base.soas();
            baseSerial = serial;
        }
        return new RecordIndex(options, soas, view, byWire, synced);
    }

    /** The Service keys with names in the index (for tests). */
    Set<String> keys() {
        Set<String> keys = new HashSet<>(fragments.keySet());
        keys.remove(BASE);
        return keys;
    }

    /** An empty non-terminal contribution: merging it changes nothing, so it is only counted. */
    private static boolean isEmpty(NameEntry e) {
        return e.records().isEmpty() && e.additionals().isEmpty();
    }

    private void recompute(Name n) {
        Object o = owners.get(n);
        if (o == null) {
            if (empties.containsKey(n)) {
                set(n, NameEntry.EMPTY);
            } else {
                names.remove(n);
                byWire.remove(WireKey.of(n));
            }
        } else if (o instanceof String key) {
            set(n, fragments.get(key).get(n));
        } else {
            String[] keys = (String[]) o;
            NameEntry merged = fragments.get(keys[0]).get(n);
            for (int i = 1; i < keys.length; i++) {
                merged = NameEntry.merge(merged, fragments.get(keys[i]).get(n));
            }
            set(n, merged);
        }
    }

    private void set(Name n, NameEntry e) {
        // Wire table first: a fast-path hit never sees an entry the Name table does not have yet.
        byWire.put(WireKey.of(n), e);
        names.put(n, e);
    }

    private void addContribution(Name n, String key, NameEntry entry) {
        if (isEmpty(entry)) {
            empties.computeIfAbsent(n, k -> new int[1])[0]++;
            return;
        }
        Object o = owners.get(n);
        if (o == null) {
            owners.put(n, key);
        } else if (o instanceof String single) {
            owners.put(n, new String[] {single, key});
        } else {
            String[] keys = (String[]) o;
            String[] grown = Arrays.copyOf(keys, keys.length + 1);
            grown[keys.length] = key;
            owners.put(n, grown);
        }
    }

    private void removeContribution(Name n, String key, NameEntry entry) {
        if (isEmpty(entry)) {
            int[] count = empties.get(n);
            if (count != null && --count[0] <= 0) {
                empties.remove(n);
            }
            return;
        }
        Object o = owners.get(n);
        if (o instanceof String single) {
            if (single.equals(key)) {
                owners.remove(n);
            }
        } else if (o instanceof String[] keys) {
            int i = Arrays.asList(keys).indexOf(key);
            if (i < 0) {
                return;
            }
            if (keys.length == 2) {
                owners.put(n, keys[1 - i]);
            } else {
                String[] shrunk = new String[keys.length - 1];
                System.arraycopy(keys, 0, shrunk, 0, i);
                System.arraycopy(keys, i + 1, shrunk, i, keys.length - i - 1);
                owners.put(n, shrunk);
            }
        }
    }
}
