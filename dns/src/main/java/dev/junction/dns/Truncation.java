package dev.junction.dns;

import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Cuts a response to a size limit the way CoreDNS does ({@code dns.Msg.Truncate} in miekg/dns):
 * keep the question, the OPT record and as many leading answer, then authority, then additional
 * records as fit, and set TC because records were left out (RFC 1035 section 4.1.1, RFC 2181
 * section 9 allows the partial RRset). Clients that can retry over TCP do; clients that cannot
 * still get some addresses. Only used for responses that do not fit, so its cost (a binary search
 * over the record count, re-encoding each candidate) stays off the common path.
 */
final class Truncation {
    private static final int[] FLAGS = {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD};

    private Truncation() {
    }

    /** The wire form of {@code response} cut to at most {@code limit} bytes, with TC set. */
    static byte[] truncate(Message response, int limit) {
        List<Record> records = new ArrayList<>();
        List<Integer> sections = new ArrayList<>();
        OPTRecord opt = null;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : response.getSection(section)) {
                if (r.getType() == Type.OPT) {
                    opt = (OPTRecord) r;
                    continue;
                }
                records.add(r);
                sections.add(section);
            }
        }
        byte[] best = encode(response, records, sections, opt, 0);
        if (best.length > limit) {
            return response.toWire(limit);
        }
        int lo = 0;
        int hi = records.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            byte[] candidate = encode(response, records, sections, opt, mid);
            if (candidate.length <= limit) {
                lo = mid;
                best = candidate;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    private static byte[] encode(Message response, List<Record> records, List<Integer> sections, OPTRecord opt,
            int count) {
        Header source = response.getHeader();
        Message m = new Message(source.getID());
        Header h = m.getHeader();
        for (int flag : FLAGS) {
            if (source.getFlag(flag)) {
                h.setFlag(flag);
            }
        }
        h.setFlag(Flags.TC);
        h.setOpcode(source.getOpcode());
        h.setRcode(source.getRcode());
        Record question = response.getQuestion();
        if (question != null) {
            m.addRecord(question, Section.QUESTION);
        }
        for (int i = 0; i < count; i++) {
            m.addRecord(records.get(i), sections.get(i));
        }
        if (opt != null) {
            m.addRecord(opt, Section.ADDITIONAL);
        }
        return m.toWire();
    }
}
