package dev.junction.dns;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Response skeletons (RFC 1035 section 4.1.1): same ID, QR set, RD copied, question echoed. */
final class Responses {
    private Responses() {
    }

    /** A NOERROR reply to {@code query} with its question and no records. */
    static Message reply(Message query) {
        Header qh = query.getHeader();
        Message response = new Message(qh.getID());
        Header h = response.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(qh.getOpcode());
        if (qh.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        if (question != null) {
            response.addRecord(question, Section.QUESTION);
        }
        return response;
    }

    /** A reply to {@code query} with {@code rcode} and no records. */
    static Message error(Message query, int rcode) {
        Message response = reply(query);
        response.getHeader().setRcode(rcode);
        return response;
    }

    /** A reply carrying only the header of an unparsable query: ID and opcode kept, RD copied. */
    static Message error(Header queryHeader, int rcode) {
        Message response = new Message(queryHeader.getID());
        Header h = response.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(queryHeader.getOpcode());
        if (queryHeader.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        h.setRcode(rcode);
        return response;
    }
}
