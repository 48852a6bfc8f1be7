package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * {@code core/dnsserver/server.go} plus its plugin chain, in CoreDNS's order: {@code autopath}
 * (server-side search, {@link Autopath}), {@code kubernetes} (with {@code fallthrough}: an
 * NXDOMAIN under a fallthrough zone is forwarded instead), {@code cache} ({@link ResponseCache},
 * forwarded answers only) and {@code forward}. ExternalName targets outside the cluster zones are
 * resolved through the cache and forwarder and appended to the CNAME. The {@link WireFastPath}
 * answers the common cluster queries from bytes before any of this runs.
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
    private final ResponseCache cache;
    private final Autopath autopath;
    private final List<Name> fallthrough;
    private final WireFastPath fastPath;
    private final DnsMetrics metrics;

    /**
     * No cache, no autopath, no fallthrough.
     *
     * @param kubernetes answers the cluster zone
     * @param forwarder  answers everything else
     * @param metrics    counters to update
     */
    public DnsQueryProcessor(KubernetesHandler kubernetes, Forwarder forwarder, DnsMetrics metrics) {
        this(kubernetes, forwarder, null, null, List.of(), false, metrics);
    }

    /**
     * @param cache       caches forwarded answers; {@code null} = no cache
     * @param autopath    server-side search; {@code null} = off
     * @param fallthrough zones whose NXDOMAIN answers are forwarded instead (CoreDNS
     *                    {@code fallthrough [ZONES...]}; the root name means every zone)
     * @param fastPath    whether the wire-level fast path ({@link WireFastPath}) answers what it can
     */
    DnsQueryProcessor(KubernetesHandler kubernetes, Forwarder forwarder, ResponseCache cache, Autopath autopath,
            List<Name> fallthrough, boolean fastPath, DnsMetrics metrics) {
        this.kubernetes = requireNonNull(kubernetes, "kubernetes");
        this.forwarder = requireNonNull(forwarder, "forwarder");
        this.cache = cache;
        this.autopath = autopath;
        this.fallthrough = List.copyOf(fallthrough);
        this.metrics = requireNonNull(metrics, "metrics");
        this.fastPath = fastPath ? new WireFastPath(kubernetes, autopath, this.fallthrough) : null;
    }

    /**
     * Processes one DNS message from an unknown client (no autopath).
     *
     * @see #process(byte[], Transport, InetAddress, Consumer)
     */
    public void process(byte[] wire, Transport transport, Consumer<byte[]> reply) {
        process(wire, wire.length, transport, null, reply);
    }

    /**
     * Processes one DNS message.
     *
     * @param wire      the query bytes (not retained after this call returns)
     * @param transport the transport it came on
     * @param client    the client's address (for autopath); may be {@code null} when unknown
     * @param reply     receives the encoded response, at most once (never for dropped queries); it
     *                  may be called on another thread (forwarded answers)
     */
    public void process(byte[] wire, Transport transport, InetAddress client, Consumer<byte[]> reply) {
        process(wire, wire.length, transport, client, reply);
    }

    /** As {@link #process(byte[], Transport, InetAddress, Consumer)} for the first {@code length} bytes. */
    void process(byte[] wire, int length, Transport transport, InetAddress client, Consumer<byte[]> reply) {
        requireNonNull(wire, "wire");
        long start = System.nanoTime();
        byte[] fast = fastAnswer(wire, length, transport, client, start);
        if (fast != null) {
            reply.accept(fast);
            return;
        }
        processSlow(wire, length, transport, client, reply, start);
    }

    /**
     * The {@link WireFastPath} answer to the first {@code length} bytes of {@code wire}, counted
     * in the metrics, or {@code null} when {@link #processSlow} must answer (the fast path is off
     * or does not handle this query; nothing is counted then). No callback, no allocation besides
     * the response.
     *
     * @param start {@link System#nanoTime()} at the query's arrival
     */
    byte[] fastAnswer(byte[] wire, int length, Transport transport, InetAddress client, long start) {
        if (fastPath == null) {
            return null;
        }
        byte[] fast = fastPath.answer(wire, length, transport, client);
        if (fast != null) {
            metrics.request(transport);
            metrics.response(fast[3] & 0x0F);
            metrics.duration(System.nanoTime() - start);
        }
        return fast;
    }

    /** The full path for what {@link #fastAnswer} declined; arguments as {@link #process}. */
    void processSlow(byte[] wire, int length, Transport transport, InetAddress client, Consumer<byte[]> reply, long start) {
        Consumer<byte[]> timed = bytes -> {
            reply.accept(bytes);
            metrics.duration(System.nanoTime() - start);
        };
        slowPath(length == wire.length ? wire : Arrays.copyOf(wire, length), transport, client, timed);
    }

    private void slowPath(byte[] wire, Transport transport, InetAddress client, Consumer<byte[]> reply) {
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
            resolve(query, client).whenComplete((response, error) -> {
                if (error != null) {
                    log.warn("query {} failed", query.getQuestion(), error);
                }
                send(error == null ? response : Responses.error(query, Rcode.SERVFAIL), opt, limit, reply);
            });
        } catch (RuntimeException e) {
            log.warn("query {} failed", query.getQuestion(), e);
            send(Responses.error(query, Rcode.SERVFAIL), opt, limit, reply);
        }
    }

    /** The answer to a validated query: cluster zones, autopath, fallthrough, ExternalName chase, forwarding. */
    private CompletionStage<Message> resolve(Message query, InetAddress client) {
        Name qname = query.getQuestion().getName();
        if (!kubernetes.inZone(qname) && !kubernetes.knowsReverse(qname)) {
            return upstream(query);
        }
        Message answer = kubernetes.answer(query);
        if (answer.getRcode() == Rcode.NXDOMAIN) {
            if (autopath != null) {
                Name base = autopath.base(qname, client);
                if (base != null) {
                    return autopath.walk(query, base, answer);
                }
            }
            if (fallsThrough(qname)) {
                return upstream(query);
            }
        }
        Name target = query.getQuestion().getType() == Type.CNAME ? null : kubernetes.danglingTarget(answer);
        if (target == null) {
            return CompletableFuture.completedFuture(answer);
        }
        Message chase = Message.newQuery(Record.newRecord(target, query.getQuestion().getType(), DClass.IN));
        chase.getHeader().setFlag(Flags.RD);
        return upstream(chase).thenApply(found -> {
            int rcode = found.getRcode();
            if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                answer.getHeader().setRcode(rcode);
                for (Record r : found.getSection(Section.ANSWER)) {
                    answer.addRecord(r, Section.ANSWER);
                }
            }
            return answer;
        });
    }

    private boolean fallsThrough(Name qname) {
        for (Name z : fallthrough) {
            if (qname.subdomain(z)) {
                return true;
            }
        }
        return false;
    }

    /** Forwards through the cache: a hit completes at once, a miss is stored when it returns. */
    CompletionStage<Message> upstream(Message query) {
        if (cache != null) {
            Message hit = cache.get(query);
            if (hit != null) {
                return CompletableFuture.completedFuture(hit);
            }
            return forwarder.forward(query).thenApply(r -> {
                cache.put(query, r);
                return r;
            });
        }
        return forwarder.forward(query);
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
        if (question == null) {
            // dnsjava stops silently at the end of a message with TC set: a missing question is malformed.
            return Responses.error(query, Rcode.FORMERR);
        }
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
