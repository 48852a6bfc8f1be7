package dev.junction.dns;

import java.net.InetAddress;
import java.util.List;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The hot path for the common cluster query, working on bytes: parse only the header, the single
 * question and an optional OPT, look the name up in the {@link RecordIndex} (by its wire bytes,
 * {@link WireKey}, when the name has records of the asked type; else as a dnsjava {@link Name}),
 * and copy pre-encoded records ({@link NameEntry#encoded}) behind the query's own question. No dnsjava {@code Message}
 * is built. Anything unusual returns {@code null} and goes the full {@link DnsQueryProcessor} way,
 * which stays the reference: the answers are byte-for-byte what it would send, up to name
 * compression (RFC 1035 section 4.1.4 makes compression optional).
 *
 * <p>Handled: QUERY opcode, QR clear, QDCOUNT 1, ANCOUNT and NSCOUNT 0, ARCOUNT 0 or one EDNS
 * version 0 OPT with nothing after it, class IN, types other than ANY/AXFR/IXFR, and names that
 * exist (answer or NODATA, no CNAME) or are plainly absent from a synced index (NXDOMAIN) where
 * neither autopath, fallthrough nor pod records could change the outcome, and answers that fit the
 * transport's limit (else truncation happens on the slow path).
 */
final class WireFastPath {
    private static final int HEADER = 12;
    private static final int UDP_DEFAULT = 512;
    private static final int OPT_LENGTH = 11;

    private final KubernetesHandler kubernetes;
    private final Autopath autopath;
    private final List<Name> fallthrough;

    WireFastPath(KubernetesHandler kubernetes, Autopath autopath, List<Name> fallthrough) {
        this.kubernetes = kubernetes;
        this.autopath = autopath;
        this.fallthrough = List.copyOf(fallthrough);
    }

    /**
     * The response bytes, or {@code null} when the slow path must answer.
     *
     * @param q      the query (only the first {@code length} bytes are read)
     * @param client the client address or {@code null}
     */
    byte[] answer(byte[] q, int length, Transport transport, InetAddress client) {
        if (length < HEADER + 5 || (q[2] & 0xF8) != 0 // QR=0, opcode QUERY
                || q[4] != 0 || q[5] != 1 || q[6] != 0 || q[7] != 0 || q[8] != 0 || q[9] != 0 || q[10] != 0
                || (q[11] & 0xFE) != 0) {
            return null;
        }
        int arcount = q[11];
        int p = HEADER;
        while (true) {
            if (p >= length) {
                return null;
            }
            int len = q[p] & 0xFF;
            if (len == 0) {
                p++;
                break;
            }
            if (len > 63) {
                return null; // compression pointer or extended label: slow path
            }
            p += len + 1;
            if (p - HEADER > 255) {
                return null;
            }
        }
        int nameEnd = p;
        if (p + 4 > length) {
            return null;
        }
        int qtype = ((q[p] & 0xFF) << 8) | (q[p + 1] & 0xFF);
        int qclass = ((q[p + 2] & 0xFF) << 8) | (q[p + 3] & 0xFF);
        int questionEnd = p + 4;
        if (qclass != 1 || qtype == Type.ANY || qtype == Type.AXFR || qtype == Type.IXFR || qtype == Type.OPT) {
            return null;
        }
        int limit = transport == Transport.TCP ? 65535 : UDP_DEFAULT;
        boolean edns = false;
        if (arcount == 1) {
            int o = questionEnd;
            if (o + OPT_LENGTH > length || q[o] != 0 || q[o + 1] != 0 || q[o + 2] != 41 || q[o + 6] != 0) {
                return null; // not a root-owned OPT, or EDNS version > 0 (BADVERS on the slow path)
            }
            int rdlen = ((q[o + 9] & 0xFF) << 8) | (q[o + 10] & 0xFF);
            if (o + OPT_LENGTH + rdlen != length || !wellFormedOptions(q, o + OPT_LENGTH, length)) {
                return null;
            }
            edns = true;
            if (transport == Transport.UDP) {
                int payload = ((q[o + 3] & 0xFF) << 8) | (q[o + 4] & 0xFF);
                limit = Math.max(UDP_DEFAULT, payload);
            }
        } else if (questionEnd != length) {
            return null;
        }
        RecordIndex idx = kubernetes.index();
        // Common case first: a name with records of the asked type, found from the bytes alone.
        NameEntry hit = idx.entryByWire(q, HEADER, nameEnd);
        if (hit != null && !hit.isCname()) {
            NameEntry.Encoded enc = hit.encoded(qtype);
            if (enc != null) {
                return build(q, questionEnd, edns, 0, enc, rotation(enc, qtype), null, limit);
            }
        }
        Name qname;
        try {
            DNSInput in = new DNSInput(q);
            in.jump(HEADER);
            qname = new Name(in);
        } catch (Exception e) {
            return null;
        }
        Name zone = idx.zoneOf(qname);
        NameEntry entry = idx.entry(qname);
        if (entry == null) {
            if (zone == null || !idx.synced() || kubernetes.pods() != PodsMode.DISABLED && underPod(qname, zone)
                    || autopath != null && autopath.base(qname, client) != null || fallsThrough(qname)) {
                return null;
            }
            return build(q, questionEnd, edns, 3, null, 0, idx.soaWire(zone), limit);
        }
        if (entry.isCname()) {
            return null;
        }
        NameEntry.Encoded enc = entry.encoded(qtype);
        if (enc == null) {
            if (zone == null) {
                return null;
            }
            return build(q, questionEnd, edns, 0, null, 0, idx.soaWire(zone), limit);
        }
        return build(q, questionEnd, edns, 0, enc, rotation(enc, qtype), null, limit);
    }

    /** The round-robin offset of an A/AAAA answer with several records (0: no rotation). */
    private int rotation(NameEntry.Encoded enc, int qtype) {
        if (enc.answers().length > 1 && kubernetes.roundRobin() && (qtype == Type.A || qtype == Type.AAAA)) {
            return kubernetes.nextRotation() % enc.answers().length;
        }
        return 0;
    }

    /** Whether the EDNS options (code, length, data) exactly fill {@code [from, to)}. */
    private static boolean wellFormedOptions(byte[] q, int from, int to) {
        int p = from;
        while (p < to) {
            if (p + 4 > to) {
                return false;
            }
            p += 4 + (((q[p + 2] & 0xFF) << 8) | (q[p + 3] & 0xFF));
        }
        return p == to;
    }

    private boolean fallsThrough(Name qname) {
        for (Name z : fallthrough) {
            if (qname.subdomain(z)) {
                return true;
            }
        }
        return false;
    }

    private static boolean underPod(Name qname, Name zone) {
        int depth = qname.labels() - zone.labels();
        return depth >= 1 && depth <= 3 && "pod".equalsIgnoreCase(qname.getLabelString(depth - 1));
    }

    private static byte[] build(byte[] q, int questionEnd, boolean edns, int rcode, NameEntry.Encoded enc, int rotation,
            byte[] soa, int limit) {
        int size = questionEnd + (edns ? OPT_LENGTH : 0) + (soa == null ? 0 : soa.length);
        int ancount = 0;
        int arcount = edns ? 1 : 0;
        if (enc != null) {
            for (byte[] a : enc.answers()) {
                size += a.length;
            }
            ancount = enc.answers().length;
            size += enc.additionals().length;
            arcount += enc.additionalCount();
        }
        if (size > limit) {
            return null;
        }
        byte[] r = new byte[size];
        System.arraycopy(q, 0, r, 0, questionEnd);
        r[2] = (byte) (0x80 | 0x04 | (q[2] & 0x01)); // QR, AA, RD copied
        r[3] = (byte) rcode;
        r[6] = (byte) (ancount >>> 8);
        r[7] = (byte) ancount;
        r[8] = 0;
        r[9] = (byte) (soa == null ? 0 : 1);
        r[10] = (byte) (arcount >>> 8);
        r[11] = (byte) arcount;
        int p = questionEnd;
        if (enc != null) {
            byte[][] answers = enc.answers();
            int n = answers.length;
            for (int i = 0; i < n; i++) {
                byte[] a = answers[(i + rotation) % n];
                System.arraycopy(a, 0, r, p, a.length);
                p += a.length;
            }
        }
        if (soa != null) {
            System.arraycopy(soa, 0, r, p, soa.length);
            p += soa.length;
        }
        if (enc != null) {
            System.arraycopy(enc.additionals(), 0, r, p, enc.additionals().length);
            p += enc.additionals().length;
        }
        if (edns) {
            // OPT: root owner, type 41, class = our payload size, TTL 0 (rcode ext, version 0), no options.
            r[p + 2] = 41;
            r[p + 3] = (byte) (DnsQueryProcessor.EDNS_PAYLOAD >>> 8);
            r[p + 4] = (byte) DnsQueryProcessor.EDNS_PAYLOAD;
        }
        return r;
    }
}
