package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Server-side search path, CoreDNS's {@code autopath @kubernetes} ({@code plugin/autopath}): a pod
 * with kubelet's resolv.conf ({@code search <ns>.svc.<zone> svc.<zone> <zone> <host search...>},
 * {@code ndots:5}) first asks for {@code <name>.<ns>.svc.<zone>}. When that name does not exist and
 * the query comes from a known pod of namespace {@code <ns>}, the server walks the rest of the
 * pod's search list itself: {@code <name>.svc.<zone>}, {@code <name>.<zone>}, {@code <name>.<host
 * search>}..., then {@code <name>.} (forwarded), and answers the first name that exists (any rcode
 * but NXDOMAIN) with a synthesized {@code CNAME <first-name> → <found-name>} followed by the found
 * name's records. Only when no name exists is the answer NXDOMAIN. One query replaces up to
 * {@code 2 × (3 + host search)} + 2 (A and AAAA for every search suffix and the bare name).
 *
 * <p>The client's namespace comes from its source IP through the {@link PodTracker}; host-network
 * and unknown clients get the ordinary answer.
 */
public final class Autopath {
    private final KubernetesHandler kubernetes;
    private final PodTracker pods;
    private final List<Name> hostSearch;
    private final Function<Message, CompletionStage<Message>> upstream;

    /**
     * @param kubernetes answers cluster names
     * @param pods       maps client IPs to pods
     * @param hostSearch the node's search domains (absolute names) appended after the cluster ones
     * @param upstream   resolves the names outside the cluster zones (forwarder, through the cache)
     */
    public Autopath(KubernetesHandler kubernetes, PodTracker pods, List<Name> hostSearch,
            Function<Message, CompletionStage<Message>> upstream) {
        this.kubernetes = requireNonNull(kubernetes, "kubernetes");
        this.pods = requireNonNull(pods, "pods");
        this.hostSearch = List.copyOf(requireNonNull(hostSearch, "hostSearch"));
        this.upstream = requireNonNull(upstream, "upstream");
    }

    /**
     * The base name (the part before {@code <ns>.svc.<zone>}) when {@code qname} is under the first
     * search suffix of {@code client}'s namespace, else {@code null}.
     */
    Name base(Name qname, InetAddress client) {
        if (client == null) {
            return null;
        }
        PodTracker.PodInfo pod = pods.get(client);
        if (pod == null) {
            return null;
        }
        Name zone = kubernetes.index().zone();
        int svcAt = qname.labels() - zone.labels() - 1;
        if (svcAt < 2 || !qname.subdomain(zone)
                || !"svc".equalsIgnoreCase(qname.getLabelString(svcAt))
                || !pod.namespace().equalsIgnoreCase(qname.getLabelString(svcAt - 1))) {
            return null;
        }
        return qname.relativize(new Name(qname, svcAt - 1));
    }

    /**
     * Continues the search after {@code first} (the NXDOMAIN answer for the first search name).
     *
     * @param query the client's query
     * @param base  from {@link #base}
     * @param first the cluster answer for the query itself
     * @return the answer to send
     */
    CompletionStage<Message> walk(Message query, Name base, Message first) {
        RecordSearch search = new RecordSearch(query, base, first);
        return search.next(0);
    }

    private final class RecordSearch {
        private final Message query;
        private final Name base;
        private final Message first;
        private final List<Name> candidates = new ArrayList<>();

        RecordSearch(Message query, Name base, Message first) {
            this.query = query;
            this.base = base;
            this.first = first;
            Name zone = kubernetes.index().zone();
            List<Name> suffixes = new ArrayList<>();
            suffixes.add(concat(Name.fromConstantString("svc"), zone));
            suffixes.add(zone);
            suffixes.addAll(hostSearch);
            for (Name s : suffixes) {
                Name c = concat(base, s);
                if (c != null) {
                    candidates.add(c);
                }
            }
            Name bare = concat(base, Name.root);
            if (bare != null) {
                candidates.add(bare);
            }
        }

        CompletionStage<Message> next(int i) {
            if (i >= candidates.size()) {
                return CompletableFuture.completedFuture(first);
            }
            Name candidate = candidates.get(i);
            Message sub = Message.newQuery(Record.newRecord(candidate, query.getQuestion().getType(), DClass.IN));
            if (kubernetes.inZone(candidate)) {
                Message r = kubernetes.answer(sub);
                if (r.getRcode() == Rcode.NXDOMAIN) {
                    return next(i + 1);
                }
                return CompletableFuture.completedFuture(synthesize(candidate, r));
            }
            return upstream.apply(sub).thenCompose(r -> r.getRcode() == Rcode.NXDOMAIN || r.getRcode() == Rcode.SERVFAIL
                    ? next(i + 1)
                    : CompletableFuture.completedFuture(synthesize(candidate, r)));
        }

        private Message synthesize(Name target, Message found) {
            Message m = Responses.reply(query);
            m.getHeader().setRcode(found.getRcode());
            if (found.getHeader().getFlag(Flags.AA)) {
                m.getHeader().setFlag(Flags.AA);
            }
            m.addRecord(new CNAMERecord(query.getQuestion().getName(), DClass.IN, kubernetes.index().ttl(), target),
                    Section.ANSWER);
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
                for (Record r : found.getSection(section)) {
                    if (r.getType() != org.xbill.DNS.Type.OPT) {
                        m.addRecord(r, section);
                    }
                }
            }
            return m;
        }
    }

    private static Name concat(Name prefix, Name suffix) {
        try {
            return Name.concatenate(prefix, suffix);
        } catch (NameTooLongException e) {
            return null;
        }
    }
}
