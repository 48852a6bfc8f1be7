package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers questions for the cluster zones (Kubernetes DNS-Based Service Discovery spec 1.1.0,
 * section 2) and for reverse names of cluster addresses from the current {@link RecordIndex}: the
 * role of CoreDNS's {@code plugin/kubernetes/handler.go}.
 *
 * <ul>
 *   <li>Negative answers follow RFC 2308 (SOA in the authority section) and RFC 8020 (empty
 *       non-terminals exist) as CoreDNS does: an existing name without records of the asked type
 *       gets NOERROR with an empty answer; an absent name gets NXDOMAIN; both carry the zone's SOA.
 *       Before the informers' first full sync an absent name gets SERVFAIL.</li>
 *   <li>Pod records (spec section 2.6, CoreDNS {@code pods}): {@code <a>-<b>-<c>-<d>.<ns>.pod.<zone>}
 *       (IPv6: the address with {@code -} for {@code :}) answers A/AAAA of the address it spells,
 *       for any name ({@link PodsMode#INSECURE}) or only for a Pod with that IP in that namespace
 *       ({@link PodsMode#VERIFIED}); {@code pod.<zone>} and {@code <ns>.pod.<zone>} are empty
 *       non-terminals while pods are enabled.</li>
 *   <li>ExternalName CNAMEs (spec section 2.5) are chased here while the target is in a cluster
 *       zone (at most {@value #MAX_CHAIN} links; the final rcode is the last name's, RFC 6604); a
 *       target outside the zones is left for {@link DnsQueryProcessor} to resolve upstream.</li>
 *   <li>Round robin (CoreDNS {@code loadbalance round_robin}): A and AAAA RRsets with more than one
 *       record are rotated on every answer; CNAMEs stay first.</li>
 *   <li>Every answer in the zone is authoritative (AA) and carries the question's spelling of the
 *       owner name (RFC 4343).</li>
 * </ul>
 */
public final class KubernetesHandler {
    /** Longest in-zone CNAME chain followed. */
    public static final int MAX_CHAIN = 8;

    private final Supplier<RecordIndex> index;
    private final PodsMode pods;
    private final PodTracker podTracker;
    private final boolean roundRobin;
    private final AtomicInteger rotation = new AtomicInteger();

    /**
     * No pod records, no round robin (the original behaviour).
     *
     * @param index the current snapshot, read once per query (a volatile read, no lock)
     */
    public KubernetesHandler(Supplier<RecordIndex> index) {
        this(index, PodsMode.DISABLED, new PodTracker(), false);
    }

    /**
     * @param index      the current snapshot, read once per query
     * @param pods       how pod names are answered
     * @param podTracker the known Pods (consulted by {@link PodsMode#VERIFIED})
     * @param roundRobin whether A/AAAA RRsets are rotated
     */
    public KubernetesHandler(Supplier<RecordIndex> index, PodsMode pods, PodTracker podTracker, boolean roundRobin) {
        this.index = requireNonNull(index, "index");
        this.pods = requireNonNull(pods, "pods");
        this.podTracker = requireNonNull(podTracker, "podTracker");
        this.roundRobin = roundRobin;
    }

    /** The current index snapshot. */
    RecordIndex index() {
        return index.get();
    }

    /** Whether pod names ({@code *.pod.<zone>}) are answered. */
    PodsMode pods() {
        return pods;
    }

    /** Whether round robin is on. */
    boolean roundRobin() {
        return roundRobin;
    }

    /** The next rotation offset. */
    int nextRotation() {
        return rotation.getAndIncrement() & 0x7fff_ffff;
    }

    /** Whether {@code name} is in a cluster zone (so this handler must answer it). */
    public boolean inZone(Name name) {
        return index.get().zoneOf(name) != null;
    }

    /**
     * Whether {@code name} is a reverse name this handler knows (a PTR of a cluster IP or a
     * headless endpoint). Unknown reverse names fall through to the forwarder, as CoreDNS's
     * {@code fallthrough in-addr.arpa ip6.arpa} does.
     */
    public boolean knowsReverse(Name name) {
        return index.get().entry(name) != null;
    }

    /**
     * Builds the response to a single-question query.
     *
     * @param query a parsed query with exactly one question of class IN
     * @return a response with the query's ID, RD flag and question
     */
    public Message answer(Message query) {
        RecordIndex idx = index.get();
        Record question = query.getQuestion();
        Name qname = question.getName();
        int qtype = question.getType();
        Message response = Responses.reply(query);
        response.getHeader().setFlag(Flags.AA);
        Name owner = qname;
        for (int link = 0; link <= MAX_CHAIN; link++) {
            NameEntry entry = idx.entry(owner);
            if (entry == null) {
                entry = podEntry(idx, owner);
            }
            if (entry == null) {
                if (!idx.synced()) {
                    response.getHeader().unsetFlag(Flags.AA);
                    response.getHeader().setRcode(Rcode.SERVFAIL);
                    return response;
                }
                response.getHeader().setRcode(Rcode.NXDOMAIN);
                response.addRecord(idx.soaFor(owner), Section.AUTHORITY);
                return response;
            }
            if (entry.isCname() && qtype != Type.CNAME) {
                addRenamed(response, entry.records(), owner, 0);
                Name target = ((CNAMERecord) entry.records().get(0)).getTarget();
                if (idx.zoneOf(target) == null || link == MAX_CHAIN) {
                    return response;
                }
                owner = target;
                continue;
            }
            List<Record> answers = entry.recordsOfType(qtype);
            if (answers.isEmpty()) {
                response.addRecord(idx.soaFor(owner), Section.AUTHORITY);
                return response;
            }
            boolean rotate = roundRobin && answers.size() > 1 && (qtype == Type.A || qtype == Type.AAAA);
            addRenamed(response, answers, owner, rotate ? nextRotation() : 0);
            if (qtype == Type.SRV || qtype == Type.NS || qtype == Type.ANY) {
                for (Record r : entry.additionals()) {
                    response.addRecord(r, Section.ADDITIONAL);
                }
            }
            return response;
        }
        return response;
    }

    /**
     * The target of a CNAME this response ends with when the target is outside the cluster zones
     * (an ExternalName to be resolved upstream), else {@code null}.
     */
    Name danglingTarget(Message response) {
        List<Record> answers = response.getSection(Section.ANSWER);
        if (answers.isEmpty() || response.getRcode() != Rcode.NOERROR) {
            return null;
        }
        Record last = answers.get(answers.size() - 1);
        if (last.getType() != Type.CNAME) {
            return null;
        }
        Name target = ((CNAMERecord) last).getTarget();
        return index.get().zoneOf(target) == null ? target : null;
    }

    /**
     * The synthesized entry of a pod name ({@code <ip-label>.<ns>.pod.<zone>}), an empty
     * non-terminal for {@code pod.<zone>} / {@code <ns>.pod.<zone>}, or {@code null}.
     */
    NameEntry podEntry(RecordIndex idx, Name name) {
        if (pods == PodsMode.DISABLED) {
            return null;
        }
        Name zone = idx.zoneOf(name);
        if (zone == null) {
            return null;
        }
        int depth = name.labels() - zone.labels();
        if (depth < 1 || depth > 3 || !"pod".equalsIgnoreCase(name.getLabelString(depth - 1))) {
            return null;
        }
        if (depth < 3) {
            if (depth == 2 && pods == PodsMode.VERIFIED) {
                return null;
            }
            return NameEntry.EMPTY;
        }
        InetAddress ip = podAddress(name.getLabelString(0));
        if (ip == null) {
            return null;
        }
        if (pods == PodsMode.VERIFIED && !podTracker.exists(name.getLabelString(1), ip)) {
            return null;
        }
        Name owner = name.canonicalize();
        long ttl = idx.ttl();
        Record r = ip instanceof Inet4Address ? new ARecord(owner, DClass.IN, ttl, ip) : new AAAARecord(owner, DClass.IN, ttl, ip);
        return new NameEntry(List.of(r), List.of());
    }

    /** {@code 10-244-1-5} → 10.244.1.5; {@code fd00-10--5} → fd00:10::5; else {@code null}. */
    static InetAddress podAddress(String label) {
        int dashes = 0;
        boolean digitsOnly = true;
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c == '-') {
                dashes++;
            } else if (c < '0' || c > '9') {
                digitsOnly = false;
            }
        }
        if (dashes == 3 && digitsOnly) {
            return IpLiterals.parse(label.replace('-', '.')).filter(a -> a instanceof Inet4Address).orElse(null);
        }
        if (dashes >= 2) {
            return IpLiterals.parse(label.replace('-', ':')).filter(a -> !(a instanceof Inet4Address)).orElse(null);
        }
        return null;
    }

    private static void addRenamed(Message response, List<Record> records, Name qname, int offset) {
        int n = records.size();
        for (int i = 0; i < n; i++) {
            Record r = records.get((i + offset) % n);
            response.addRecord(sameSpelling(r.getName(), qname) ? r : r.withName(qname), Section.ANSWER);
        }
    }

    /** Byte-exact comparison (Name.equals ignores case). */
    private static boolean sameSpelling(Name a, Name b) {
        if (a == b) {
            return true;
        }
        if (a.labels() != b.labels()) {
            return false;
        }
        for (int i = 0; i < a.labels(); i++) {
            if (!a.getLabelString(i).equals(b.getLabelString(i))) {
                return false;
            }
        }
        return true;
    }
}
