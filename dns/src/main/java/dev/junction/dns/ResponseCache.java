package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A bounded cache of upstream (forwarded) responses, the role of CoreDNS's {@code plugin/cache}.
 * Cluster names never pass through it: they are always answered from the live index, so a new
 * Service resolves at once.
 *
 * <ul>
 *   <li>Key: question name (case-insensitive), type and class.</li>
 *   <li>Positive answers (NOERROR with records) live for the smallest TTL in the answer and
 *       authority sections, at most {@code successTtl} seconds ({@code success} capacity).</li>
 *   <li>Negative answers (NXDOMAIN, and NOERROR without answers) live for
 *       {@code min(SOA TTL, SOA MINIMUM)} of the SOA in the authority section (RFC 2308 section
 *       5), at most {@code denialTtl}; negative answers without SOA are not cached (RFC 2308
 *       section 5).</li>
 *   <li>Truncated answers and other rcodes (SERVFAIL, REFUSED, ...) are not cached.</li>
 *   <li>A hit's TTLs are decremented by the time spent in the cache (RFC 1035 section 6.1.2).</li>
 *   <li>When a section is full an arbitrary entry is evicted (CoreDNS evicts at random too).</li>
 * </ul>
 */
public final class ResponseCache {
    /** Cache entry kinds, also the {@code type} label of the cache metrics. */
    public enum Kind {
        /** Positive answers. */
        SUCCESS,
        /** NXDOMAIN and NODATA. */
        DENIAL;

        /** The Prometheus label value. */
        public String label() {
            return this == SUCCESS ? "success" : "denial";
        }
    }

    private record Entry(Message response, long storedNanos, long expiresNanos) {
    }

    private final int successCapacity;
    private final long successTtl;
    private final int denialCapacity;
    private final long denialTtl;
    private final LongSupplier nanoClock;
    private final DnsMetrics metrics;
    private final Map<String, Entry> success = new ConcurrentHashMap<>();
    private final Map<String, Entry> denial = new ConcurrentHashMap<>();

    /**
     * @param successCapacity most positive entries (0 disables them)
     * @param successTtl      longest positive TTL, seconds (CoreDNS {@code cache [TTL]}, {@code success CAPACITY [TTL]})
     * @param denialCapacity  most negative entries (0 disables them)
     * @param denialTtl       longest negative TTL, seconds ({@code denial CAPACITY [TTL]})
     * @param nanoClock       monotonic time in nanoseconds ({@code System::nanoTime})
     * @param metrics         hit/miss counters
     * @throws IllegalArgumentException on a negative capacity or TTL
     */
    public ResponseCache(int successCapacity, long successTtl, int denialCapacity, long denialTtl,
            LongSupplier nanoClock, DnsMetrics metrics) {
        this.successCapacity = nonNegative("successCapacity", successCapacity);
        this.successTtl = nonNegative("successTtl", successTtl);
        this.denialCapacity = nonNegative("denialCapacity", denialCapacity);
        this.denialTtl = nonNegative("denialTtl", denialTtl);
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    private static int nonNegative(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: >= 0)");
        }
        return v;
    }

    private static long nonNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: >= 0)");
        }
        return v;
    }

    /** The number of entries of {@code kind}. */
    public int size(Kind kind) {
        return (kind == Kind.SUCCESS ? success : denial).size();
    }

    /**
     * The cached response to {@code query} re-addressed to its ID and question, with TTLs
     * decremented; {@code null} on a miss (counted in the metrics either way).
     */
    Message get(Message query) {
        String key = key(query);
        if (key == null) {
            return null;
        }
        long now = nanoClock.getAsLong();
        Kind kind = Kind.SUCCESS;
        Entry e = success.get(key);
        if (e == null) {
            kind = Kind.DENIAL;
            e = denial.get(key);
        }
        if (e == null || now - e.expiresNanos() >= 0) {
            if (e != null) {
                (kind == Kind.SUCCESS ? success : denial).remove(key, e);
            }
            metrics.cacheMiss();
            return null;
        }
        metrics.cacheHit(kind);
        long elapsed = (now - e.storedNanos()) / 1_000_000_000L;
        return copy(e.response(), query, elapsed);
    }

    /** Stores {@code response} to {@code query} when it is cacheable (see the class comment). */
    void put(Message query, Message response) {
        String key = key(query);
        if (key == null || response.getHeader().getFlag(Flags.TC)) {
            return;
        }
        int rcode = response.getRcode();
        List<Record> answers = response.getSection(Section.ANSWER);
        long ttl;
        Kind kind;
        if (rcode == Rcode.NOERROR && !answers.isEmpty()) {
            kind = Kind.SUCCESS;
            ttl = Math.min(successTtl, minTtl(response));
        } else if (rcode == Rcode.NXDOMAIN || rcode == Rcode.NOERROR) {
            kind = Kind.DENIAL;
            SOARecord soa = null;
            for (Record r : response.getSection(Section.AUTHORITY)) {
                if (r instanceof SOARecord s) {
                    soa = s;
                    break;
                }
            }
            if (soa == null) {
                return;
            }
            ttl = Math.min(denialTtl, Math.min(soa.getTTL(), soa.getMinimum()));
        } else {
            return;
        }
        int capacity = kind == Kind.SUCCESS ? successCapacity : denialCapacity;
        if (ttl <= 0 || capacity == 0) {
            return;
        }
        Map<String, Entry> map = kind == Kind.SUCCESS ? success : denial;
        if (map.size() >= capacity && !map.containsKey(key)) {
            Iterator<String> it = map.keySet().iterator();
            if (it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        long now = nanoClock.getAsLong();
        map.put(key, new Entry(withoutOpt(response), now, now + ttl * 1_000_000_000L));
        (kind == Kind.SUCCESS ? denial : success).remove(key);
    }

    private static String key(Message query) {
        Record q = query.getQuestion();
        if (q == null) {
            return null;
        }
        return q.getName().toString().toLowerCase(Locale.ROOT) + '|' + q.getType() + '|' + q.getDClass();
    }

    private static long minTtl(Message m) {
        long min = Long.MAX_VALUE;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
            for (Record r : m.getSection(section)) {
                min = Math.min(min, r.getTTL());
            }
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    private static Message withoutOpt(Message response) {
        Message m = new Message(0);
        copyHeader(response.getHeader(), m.getHeader());
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : response.getSection(section)) {
                if (r.getType() != Type.OPT) {
                    m.addRecord(r, section);
                }
            }
        }
        return m;
    }

    private static Message copy(Message cached, Message query, long elapsedSeconds) {
        Message m = Responses.reply(query);
        Header h = m.getHeader();
        copyHeader(cached.getHeader(), h);
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record r : cached.getSection(section)) {
                m.addRecord(elapsedSeconds == 0 ? r : withTtl(r, Math.max(0, r.getTTL() - elapsedSeconds)), section);
            }
        }
        return m;
    }

    private static void copyHeader(Header from, Header to) {
        for (int flag : new int[] {Flags.AA, Flags.RA, Flags.AD}) {
            if (from.getFlag(flag)) {
                to.setFlag(flag);
            }
        }
        to.setRcode(from.getRcode());
    }

    /** A copy of {@code r} with another TTL (dnsjava has no public TTL setter): patch the wire form. */
    private static Record withTtl(Record r, long ttl) {
        byte[] wire = r.toWire(Section.ANSWER);
        int at = r.getName().length() + 4;
        wire[at] = (byte) (ttl >>> 24);
        wire[at + 1] = (byte) (ttl >>> 16);
        wire[at + 2] = (byte) (ttl >>> 8);
        wire[at + 3] = (byte) ttl;
        try {
            return Record.fromWire(wire, Section.ANSWER);
        } catch (IOException e) {
            return r;
        }
    }
}
