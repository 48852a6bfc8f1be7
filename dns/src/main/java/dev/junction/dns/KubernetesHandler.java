package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Supplier;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers questions for the cluster zone (Kubernetes DNS-Based Service Discovery spec 1.1.0,
 * section 2) and for reverse names of cluster addresses from the
 * current {@link RecordIndex}: the role of CoreDNS's {@code plugin/kubernetes/handler.go}.
 *
 * <p>Negative answers follow RFC 2308 (SOA in the authority section) and RFC 8020 (empty
 * non-terminals exist) as CoreDNS does: an existing name (including an empty non-terminal such as {@code svc.<zone>}) without
 * records of the asked type gets NOERROR with an empty answer; an absent name gets NXDOMAIN; both
 * carry the zone's SOA in the authority section. Before the informers' first full sync an absent
 * name gets SERVFAIL, because it may simply not be known yet. Every answer in the zone is
 * authoritative (AA). Answers carry the question's spelling of the owner name (RFC 4343).
 */
public final class KubernetesHandler {
    private final Supplier<RecordIndex> index;

    /**
     * @param index the current snapshot, read once per query (a volatile read, no lock)
     */
    public KubernetesHandler(Supplier<RecordIndex> index) {
        this.index = requireNonNull(index, "index");
    }

    /** Whether {@code name} is in the cluster zone (so this handler must answer it). */
    public boolean inZone(Name name) {
        return name.subdomain(index.get().zone());
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
        NameEntry entry = idx.entry(qname);
        if (entry == null) {
            if (!idx.synced()) {
                response.getHeader().unsetFlag(Flags.AA);
                response.getHeader().setRcode(Rcode.SERVFAIL);
                return response;
            }
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            response.addRecord(idx.soa(), Section.AUTHORITY);
            return response;
        }
        if (entry.isCname() && qtype != Type.CNAME) {
            addRenamed(response, entry.records(), qname, Section.ANSWER);
            return response;
        }
        List<Record> answers = entry.recordsOfType(qtype);
        if (answers.isEmpty()) {
            response.addRecord(idx.soa(), Section.AUTHORITY);
            return response;
        }
        addRenamed(response, answers, qname, Section.ANSWER);
        if (qtype == Type.SRV || qtype == Type.NS || qtype == Type.ANY) {
            for (Record r : entry.additionals()) {
                response.addRecord(r, Section.ADDITIONAL);
            }
        }
        return response;
    }

    private static void addRenamed(Message response, List<Record> records, Name qname, int section) {
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            response.addRecord(sameSpelling(r.getName(), qname) ? r : r.withName(qname), section);
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
