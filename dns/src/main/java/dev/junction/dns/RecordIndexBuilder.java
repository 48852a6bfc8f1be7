package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * Compiles Services and EndpointSlices into a {@link RecordIndex}: a pure function, no I/O.
 *
 * <p>Implements the Kubernetes DNS-Based Service Discovery specification, schema 1.1.0
 * (kubernetes/dns {@code docs/specification.md}):
 * <ul>
 *   <li>2.2 {@code dns-version.<zone>. TXT "1.1.0"};</li>
 *   <li>2.3 ClusterIP Services (2.3.1 A/AAAA, 2.3.2 SRV, 2.3.3 PTR): A/AAAA at {@code <svc>.<ns>.svc.<zone>}, SRV
 *       {@code _<port>._<proto>.<svc>.<ns>.svc.<zone>} for named ports targeting the Service name,
 *       PTR for each cluster IP;</li>
 *   <li>2.4 headless Services (2.4.1 A/AAAA, 2.4.2 SRV, 2.4.3 PTR): A/AAAA per ready endpoint at the Service name and at
 *       {@code <hostname>.<svc>.<ns>.svc.<zone>}, SRV per ready endpoint and named port targeting
 *       the hostname name, PTR per ready endpoint; no ready endpoints → the name does not exist;</li>
 *   <li>2.5 ExternalName Services: CNAME to {@code spec.externalName}.</li>
 * </ul>
 * Where the spec is silent this follows CoreDNS {@code plugin/kubernetes}: endpoints without a
 * hostname use their address with dashes as host label ({@code endpointHostname}), SRV priority 0
 * and weight {@code 100 / (records in the set)}, SOA {@code ns.dns.<zone>. hostmaster.<zone>.} with
 * refresh 7200, retry 1800, expire 86400 and minimum = TTL, NS {@code ns.dns.<zone>.} at the apex
 * whose address is {@code kube-system/kube-dns}'s cluster IP when that Service exists, and
 * {@code svc.<zone>} / {@code <ns>.svc.<zone>} as empty non-terminals.
 */
public final class RecordIndexBuilder {
    private static final int DEFAULT_WEIGHT = 100;

    private final IndexOptions options;
    private final long ttl;
    /** The zone being compiled (compile loops over all zones). */
    private Name zone;
    /** Whether PTR records are emitted (only while compiling the primary zone). */
    private boolean reverse;
    private final Map<Name, Acc> names = new HashMap<>();

    private RecordIndexBuilder(IndexOptions options) {
        this.options = options;
        this.ttl = options.ttl();
        this.zone = options.primaryZone();
        this.reverse = true;
    }

    /**
     * Builds the index.
     *
     * @param zone     the cluster zone, absolute (e.g. {@code cluster.local.})
     * @param ttl      the TTL of every record, in seconds (0-2147483647)
     * @param serial   the SOA serial (CoreDNS uses the time of the last API change, in Unix seconds)
     * @param services all Services
     * @param slices   all EndpointSlices
     * @param synced   whether the sources had completed their first full list
     * @throws IllegalArgumentException when {@code zone} is relative or {@code ttl} is out of range
     */
    public static RecordIndex build(Name zone, long ttl, long serial, Collection<ServiceRecord> services,
            Collection<EndpointSliceRecord> slices, boolean synced) {
        checkZoneAndTtl(zone, ttl);
        return build(IndexOptions.of(zone, ttl), serial, services, slices, synced);
    }

    /**
     * Builds the index with every option of {@link IndexOptions}.
     *
     * @param serial   the SOA serial (Unix seconds of the last API change)
     * @param services all Services
     * @param slices   all EndpointSlices
     * @param synced   whether the sources had completed their first full list
     */
    public static RecordIndex build(IndexOptions options, long serial, Collection<ServiceRecord> services,
            Collection<EndpointSliceRecord> slices, boolean synced) {
        requireNonNull(options, "options");
        requireNonNull(services, "services");
        requireNonNull(slices, "slices");
        Map<String, List<EndpointSliceRecord>> slicesByService = new HashMap<>();
        for (EndpointSliceRecord s : slices) {
            slicesByService.computeIfAbsent(s.serviceKey(), k -> new ArrayList<>()).add(s);
        }
        List<Map<Name, NameEntry>> fragments = new ArrayList<>(services.size());
        for (ServiceRecord svc : services) {
            fragments.add(compile(options, svc, slicesByService.getOrDefault(svc.key(), List.of())));
        }
        return assemble(options, serial, fragments, synced);
    }

    /**
     * Compiles one Service and its EndpointSlices into the names it contributes (its fragment of
     * the index), so that a change to one Service recompiles only that Service.
     *
     * @param zone   the cluster zone, absolute
     * @param ttl    the TTL in seconds
     * @param svc    the Service
     * @param slices the Service's EndpointSlices
     * @return an immutable map from owner name to entry; empty when the Service publishes nothing
     */
    public static Map<Name, NameEntry> compile(Name zone, long ttl, ServiceRecord svc, List<EndpointSliceRecord> slices) {
        checkZoneAndTtl(zone, ttl);
        return compile(IndexOptions.of(zone, ttl), svc, slices);
    }

    /**
     * As {@link #compile(Name, long, ServiceRecord, List)} for every zone of {@code options}
     * (PTR records once, pointing into the first zone).
     */
    public static Map<Name, NameEntry> compile(IndexOptions options, ServiceRecord svc, List<EndpointSliceRecord> slices) {
        requireNonNull(options, "options");
        requireNonNull(svc, "svc");
        requireNonNull(slices, "slices");
        RecordIndexBuilder b = new RecordIndexBuilder(options);
        for (Name z : options.zones()) {
            b.zone = z;
            b.reverse = z.equals(options.primaryZone());
            b.addService(svc, slices);
        }
        Map<Name, NameEntry> out = new HashMap<>(b.names.size() * 2);
        for (Map.Entry<Name, Acc> e : b.names.entrySet()) {
            out.put(e.getKey(), e.getValue().toEntry());
        }
        return Map.copyOf(out); // a flat open-addressing table: no node per name (10k Services → 60k names)
    }

    /**
     * Assembles the zone's own names (apex SOA and NS, {@code dns-version}, {@code svc}) and the
     * Services' fragments into an index. Names several fragments share (a namespace's
     * {@code <ns>.svc} node, a PTR name) are merged. Cost: linear in the number of names.
     *
     * @param fragments results of {@link #compile}
     */
    public static RecordIndex assemble(Name zone, long ttl, long serial, Collection<Map<Name, NameEntry>> fragments,
            boolean synced) {
        checkZoneAndTtl(zone, ttl);
        return assemble(IndexOptions.of(zone, ttl), serial, fragments, synced);
    }

    /** As {@link #assemble(Name, long, long, Collection, boolean)} for every zone of {@code options}. */
    public static RecordIndex assemble(IndexOptions options, long serial, Collection<Map<Name, NameEntry>> fragments,
            boolean synced) {
        requireNonNull(options, "options");
        requireNonNull(fragments, "fragments");
        Base base = base(options, serial);
        int size = base.names().size();
        for (Map<Name, NameEntry> f : fragments) {
            size += f.size();
        }
        Map<Name, NameEntry> out = new HashMap<>(size * 4 / 3 + 16);
        out.putAll(base.names());
        for (Map<Name, NameEntry> f : fragments) {
            for (Map.Entry<Name, NameEntry> e : f.entrySet()) {
                out.merge(e.getKey(), e.getValue(), NameEntry::merge);
            }
        }
        return new RecordIndex(options, base.soas(), Collections.unmodifiableMap(out), synced);
    }

    /** The zones' own names and their SOA records (one per zone, in zone order). */
    record Base(List<SOARecord> soas, Map<Name, NameEntry> names) {
    }

    /**
     * The names every index has whatever the Services: per zone the apex (SOA with
     * {@code serial}, NS), {@code dns-version} and the {@code svc} empty non-terminal.
     */
    static Base base(IndexOptions options, long serial) {
        RecordIndexBuilder b = new RecordIndexBuilder(options);
        List<SOARecord> soas = new ArrayList<>();
        for (Name z : options.zones()) {
            b.zone = z;
            soas.add(b.apex(serial));
            b.ent(b.name("svc"));
        }
        Map<Name, NameEntry> names = new HashMap<>();
        for (Map.Entry<Name, Acc> e : b.names.entrySet()) {
            names.put(e.getKey(), e.getValue().toEntry());
        }
        return new Base(List.copyOf(soas), Map.copyOf(names));
    }

    private static void checkZoneAndTtl(Name zone, long ttl) {
        requireNonNull(zone, "zone");
        if (!zone.isAbsolute()) {
            throw new IllegalArgumentException("zone: " + zone + " (expected: an absolute name)");
        }
        if (ttl < 0 || ttl > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: 0-2147483647)");
        }
    }

    /** An index with only the apex records, for the time before the first sync. */
    public static RecordIndex empty(Name zone, long ttl) {
        return build(zone, ttl, System.currentTimeMillis() / 1000, List.of(), List.of(), false);
    }

    /** An index with only the apex records of every zone, for the time before the first sync. */
    public static RecordIndex empty(IndexOptions options) {
        return build(options, System.currentTimeMillis() / 1000, List.of(), List.of(), false);
    }

    private SOARecord apex(long serial) {
        Name ns = name("ns.dns");
        SOARecord soa = new SOARecord(zone, DClass.IN, ttl, ns, name("hostmaster"), serial & 0xFFFF_FFFFL,
                7200, 1800, 86400, ttl);
        Acc apex = acc(zone);
        apex.records.add(soa);
        apex.records.add(new NSRecord(zone, DClass.IN, ttl, ns));
        acc(name("dns-version")).records.add(new TXTRecord(name("dns-version"), DClass.IN, ttl, "1.1.0"));
        return soa;
    }

    private void addService(ServiceRecord svc, List<EndpointSliceRecord> slices) {
        Name ns;
        Name svcName;
        try {
            ns = Name.fromString(lower(svc.namespace()) + ".svc", zone);
            svcName = Name.fromString(lower(svc.name()), ns);
        } catch (TextParseException e) {
            return;
        }
        switch (svc.kind()) {
            case CLUSTER_IP -> {
                if (!options.ignoreEmptyService() || hasReadyEndpoint(svc, slices)) {
                    addClusterIp(svc, svcName);
                }
            }
            case HEADLESS -> addHeadless(svc, svcName, slices);
            case EXTERNAL_NAME -> addExternalName(svc, svcName);
        }
        if (names.containsKey(svcName)) {
            ent(ns);
        }
    }

    private static boolean hasReadyEndpoint(ServiceRecord svc, List<EndpointSliceRecord> slices) {
        for (EndpointSliceRecord slice : slices) {
            for (EndpointRecord ep : slice.endpoints()) {
                if (ep.ready() || svc.publishNotReadyAddresses()) {
                    return true;
                }
            }
        }
        return false;
    }

    private void addClusterIp(ServiceRecord svc, Name svcName) {
        Acc at = acc(svcName);
        List<Record> addresses = new ArrayList<>();
        for (InetAddress ip : svc.clusterIps()) {
            Record r = address(svcName, ip);
            addresses.add(r);
            at.records.add(r);
            if (reverse) {
                acc(ReverseMap.fromAddress(ip)).records.add(new PTRRecord(ReverseMap.fromAddress(ip), DClass.IN, ttl, svcName));
            }
        }
        for (PortRecord port : svc.ports()) {
            Name srv = srvName(port, svcName);
            if (srv == null) {
                continue;
            }
            Acc s = acc(srv);
            s.records.add(new SRVRecord(srv, DClass.IN, ttl, 0, DEFAULT_WEIGHT, port.port(), svcName));
            s.additionals.addAll(addresses);
            ent(new Name(srv, 1));
        }
        if ("kube-system".equals(svc.namespace()) && "kube-dns".equals(svc.name())) {
            Name nsName = name("ns.dns");
            Acc nsAcc = acc(nsName);
            for (InetAddress ip : svc.clusterIps()) {
                Record r = address(nsName, ip);
                nsAcc.records.add(r);
                acc(zone).additionals.add(r);
            }
            ent(name("dns"));
        }
    }

    private void addHeadless(ServiceRecord svc, Name svcName, List<EndpointSliceRecord> slices) {
        Map<InetAddress, Name> published = new LinkedHashMap<>();
        Map<Name, List<SrvTarget>> srvs = new LinkedHashMap<>();
        for (EndpointSliceRecord slice : slices) {
            for (EndpointRecord ep : slice.endpoints()) {
                if (!ep.ready() && !svc.publishNotReadyAddresses()) {
                    continue;
                }
                Name host;
                try {
                    host = Name.fromString(lower(ep.label(options.endpointPodNames())), svcName);
                } catch (TextParseException e) {
                    continue;
                }
                if (published.putIfAbsent(ep.address(), host) != null) {
                    continue;
                }
                for (PortRecord port : slice.ports()) {
                    Name srv = srvName(port, svcName);
                    if (srv != null) {
                        List<SrvTarget> targets = srvs.computeIfAbsent(srv, k -> new ArrayList<>());
                        // One SRV per (hostname, port): a dual-stack endpoint is one target with two addresses.
                        boolean seen = false;
                        for (SrvTarget t : targets) {
                            seen |= t.port() == port.port() && t.host().equals(host);
                        }
                        targets.add(new SrvTarget(port.port(), host, ep.address(), !seen));
                    }
                }
            }
        }
        if (published.isEmpty()) {
            return;
        }
        Acc at = acc(svcName);
        for (Map.Entry<InetAddress, Name> e : published.entrySet()) {
            InetAddress ip = e.getKey();
            Name host = e.getValue();
            at.records.add(address(svcName, ip));
            acc(host).records.add(address(host, ip));
            if (reverse) {
                Name ptr = ReverseMap.fromAddress(ip);
                acc(ptr).records.add(new PTRRecord(ptr, DClass.IN, ttl, host));
            }
        }
        for (Map.Entry<Name, List<SrvTarget>> e : srvs.entrySet()) {
            Name srv = e.getKey();
            List<SrvTarget> targets = e.getValue();
            long distinct = targets.stream().filter(SrvTarget::first).count();
            int weight = (int) Math.max(1, DEFAULT_WEIGHT / distinct);
            Acc s = acc(srv);
            for (SrvTarget t : targets) {
                if (t.first()) {
                    s.records.add(new SRVRecord(srv, DClass.IN, ttl, 0, weight, t.port(), t.host()));
                }
                s.additionals.add(address(t.host(), t.address()));
            }
            ent(new Name(srv, 1));
        }
    }

    private void addExternalName(ServiceRecord svc, Name svcName) {
        String target = svc.externalName().endsWith(".") ? svc.externalName() : svc.externalName() + ".";
        try {
            acc(svcName).records.add(new CNAMERecord(svcName, DClass.IN, ttl, Name.fromString(target)));
        } catch (TextParseException e) {
            // An unparsable externalName publishes nothing, like a Service without a cluster IP.
        }
    }

    private Name srvName(PortRecord port, Name svcName) {
        if (!port.named()) {
            return null;
        }
        try {
            return Name.fromString("_" + lower(port.name()) + "._" + port.protocol(), svcName);
        } catch (TextParseException e) {
            return null;
        }
    }

    private Record address(Name owner, InetAddress ip) {
        return ip instanceof Inet4Address
                ? new ARecord(owner, DClass.IN, ttl, ip)
                : new AAAARecord(owner, DClass.IN, ttl, ip);
    }

    private void ent(Name name) {
        acc(name);
    }

    private Acc acc(Name name) {
        return names.computeIfAbsent(name, k -> new Acc());
    }

    private Name name(String relative) {
        try {
            return Name.fromString(relative, zone);
        } catch (TextParseException e) {
            throw new IllegalStateException("zone: " + zone, e);
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private record SrvTarget(int port, Name host, InetAddress address, boolean first) {
    }

    /** Mutable accumulator for one owner name; duplicates (same RR data) collapse. */
    private static final class Acc {
        final Set<Record> records = new LinkedHashSet<>();
        final Set<Record> additionals = new LinkedHashSet<>();

        NameEntry toEntry() {
            return new NameEntry(new ArrayList<>(records), new ArrayList<>(additionals));
        }
    }
}
