package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The request path shared by both transports: parse, validate, dispatch to the
 * {@link KubernetesHandler} (cluster zone and known reverse names) or the {@link Forwarder}
 * (everything else), then encode within the transport's size limit. The role of CoreDNS's
 * {@code core/dnsserver/server.go} plus its plugin chain.
 *
 * <ul>
 *   <li>Unparsable junk shorter than a header, and responses (QR set), are dropped.</li>
 *   <li>A parseable header with a malformed body, or a question count other than one → FORMERR
 *       (RFC 1035 section 4.1.1).</li>
 *   <li>Opcode other than QUERY → NOTIMP; AXFR/IXFR → REFUSED (no zone transfers); class other
 *       than IN/ANY → REFUSED.</li>
 *   <li>EDNS0 (RFC 6891): a query's OPT is answered with an OPT advertising {@value #EDNS_PAYLOAD}
 *       bytes; the client's payload size (at least 512) bounds UDP responses; without OPT the UDP
 *       limit is 512 bytes. EDNS version above 0 → BADVERS.</li>
 *   <li>A UDP response that does not fit keeps as many leading records as fit and gets TC
 *       ({@link Truncation}).</li>
 * </ul>
 */
public final class DnsQueryProcessor {
    /** The UDP payload size we advertise (the DNS Flag Day 2020 value). */
    public static final int EDNS_PAYLOAD = 1232;
    private static final int UDP_DEFAULT = 512;
    private static final int MAX_MESSAGE = 65535;
    private static final Logger log = LoggerFactory.getLogger(DnsQueryProcessor.class);

    private final KubernetesHandler kubernetes;
    private final Forwarder forwarder;
    private final DnsMetrics metrics;

    /**
     * @param kubernetes answers the cluster zone
     * @param forwarder  answers everything else
     * @param metrics    counters to update
     */
    public DnsQueryProcessor(KubernetesHandler kubernetes, Forwarder forwarder, DnsMetrics metrics) {
        this.kubernetes = requireNonNull(kubernetes, "kubernetes");
        this.forwarder = requireNonNull(forwarder, "forwarder");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /**
     * Processes one DNS message.
     *
     * @param wire      the query bytes (not retained after this call returns)
     * @param transport the transport it came on
     * @param reply     receives the encoded response, at most once (never for dropped queries); it
     *                  may be called on another thread (forwarded answers)
     */
    public void process(byte[] wire, Transport transport, Consumer<byte[]> reply) {
        requireNonNull(wire, "wire");
        Message query;
        try {
            query = new Message(wire);
        } catch (Exception e) {
            formerrFromHeader(wire, transport, reply);
            return;
        }
        Header header = query.getHeader();
        if (header.getFlag(Flags.QR)) {
            return;
        }
        metrics.request(transport);
        OPTRecord opt = query.getOPT();
        int limit = transport == Transport.TCP ? MAX_MESSAGE
                : opt == null ? UDP_DEFAULT : Math.max(UDP_DEFAULT, Math.min(MAX_MESSAGE, opt.getPayloadSize()));
        try {
            Message early = validate(query, opt);
            if (early != null) {
                send(early, opt, limit, reply);
                return;
            }
            Name qname = query.getQuestion().getName();
            if (kubernetes.inZone(qname) || kubernetes.knowsReverse(qname)) {
                send(kubernetes.answer(query), opt, limit, reply);
                return;
            }
            forwarder.forward(query).whenComplete((response, error) -> {
                Message m = error == null ? response : Responses.error(query, Rcode.SERVFAIL);
                send(m, opt, limit, reply);
            });
        } catch (RuntimeException e) {
            log.warn("query {} failed", query.getQuestion(), e);
            send(Responses.error(query, Rcode.SERVFAIL), opt, limit, reply);
        }
    }

    private Message validate(Message query, OPTRecord opt) {
        Header header = query.getHeader();
        if (header.getOpcode() != Opcode.QUERY) {
            return Responses.error(query, Rcode.NOTIMP);
        }
        if (header.getCount(Section.QUESTION) != 1) {
            return Responses.error(query, Rcode.FORMERR);
        }
        if (opt != null && opt.getVersion() > 0) {
            // BADVERS (16) is an extended rcode: the header keeps its low 4 bits, the OPT the rest.
            Message badvers = Responses.reply(query);
            badvers.addRecord(new OPTRecord(EDNS_PAYLOAD, Rcode.BADVERS >>> 4, 0), Section.ADDITIONAL);
            return badvers;
        }
        Record question = query.getQuestion();
        int qtype = question.getType();
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            return Responses.error(query, Rcode.REFUSED);
        }
        int qclass = question.getDClass();
        if (qclass != DClass.IN && qclass != DClass.ANY) {
            return Responses.error(query, Rcode.REFUSED);
        }
        return null;
    }

    private void formerrFromHeader(byte[] wire, Transport transport, Consumer<byte[]> reply) {
        if (wire.length < Header.LENGTH) {
            return;
        }
        Header header;
        try {
            header = new Header(Arrays.copyOf(wire, Header.LENGTH));
        } catch (Exception e) {
            return;
        }
        if (header.getFlag(Flags.QR)) {
            return;
        }
        metrics.request(transport);
        send(Responses.error(header, Rcode.FORMERR), null, UDP_DEFAULT, reply);
    }

    private void send(Message response, OPTRecord queryOpt, int limit, Consumer<byte[]> reply) {
        int rcode = response.getRcode();
        if (response.getHeader().getCount(Section.ADDITIONAL) > 0) {
            removeOpt(response);
        }
        if (queryOpt != null) {
            response.addRecord(new OPTRecord(EDNS_PAYLOAD, rcode >>> 4, 0), Section.ADDITIONAL);
        }
        metrics.response(rcode);
        byte[] wire = response.toWire();
        reply.accept(wire.length <= limit ? wire : Truncation.truncate(response, limit));
    }

    private static void removeOpt(Message response) {
        List<Record> additional = new ArrayList<>(response.getSection(Section.ADDITIONAL));
        for (Record r : additional) {
            if (r.getType() == Type.OPT) {
                response.removeRecord(r, Section.ADDITIONAL);
            }
        }
    }
}
