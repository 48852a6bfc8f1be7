package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Everything the index holds at one owner name. An entry with no records is an empty
 * non-terminal (it exists, so queries get NODATA rather than NXDOMAIN, RFC 8020).
 * Record owner names are the canonical lower-case names; answers rename them to the question's
 * spelling.
 */
public final class NameEntry {
    /** An empty non-terminal without additionals. */
    public static final NameEntry EMPTY = new NameEntry(List.of(), List.of());

    private final List<Record> records;
    private final List<Record> additionals;
    private final boolean cname;
    /** The distinct types at this name and their records, so lookups allocate nothing. */
    private final int[] types;
    private final List<List<Record>> byType;
    /** Lazily encoded wire forms per type index ({@link WireFastPath}); benign races. */
    private volatile Encoded[] encoded;

    /**
     * The records of one type in wire form for the fast path: each answer RR with its owner as a
     * compression pointer to the question name (offset 12), and the additional section's RRs with
     * full owner names, all rdata uncompressed.
     */
    record Encoded(byte[][] answers, byte[] additionals, int additionalCount) {
    }

    /**
     * @param records     the RRsets at this name, any types
     * @param additionals records for the additional section of SRV and NS answers (targets' A/AAAA)
     */
    public NameEntry(List<Record> records, List<Record> additionals) {
        this.records = List.copyOf(requireNonNull(records, "records"));
        this.additionals = List.copyOf(requireNonNull(additionals, "additionals"));
        this.cname = !this.records.isEmpty() && this.records.get(0).getType() == Type.CNAME;
        Map<Integer, List<Record>> grouped = new LinkedHashMap<>();
        for (Record r : this.records) {
            grouped.computeIfAbsent(r.getType(), t -> new ArrayList<>()).add(r);
        }
        this.types = grouped.keySet().stream().mapToInt(Integer::intValue).toArray();
        this.byType = grouped.values().stream().map(List::copyOf).toList();
    }

    /**
     * The union of two entries for the same name (records and additionals, duplicates dropped);
     * returns one of them unchanged when the other is an empty non-terminal without additionals.
     */
    public static NameEntry merge(NameEntry a, NameEntry b) {
        if (b.records.isEmpty() && b.additionals.isEmpty()) {
            return a;
        }
        if (a.records.isEmpty() && a.additionals.isEmpty()) {
            return b;
        }
        LinkedHashSet<Record> records = new LinkedHashSet<>(a.records);
        records.addAll(b.records);
        LinkedHashSet<Record> additionals = new LinkedHashSet<>(a.additionals);
        additionals.addAll(b.additionals);
        return new NameEntry(new ArrayList<>(records), new ArrayList<>(additionals));
    }

    /** All records at this name. */
    public List<Record> records() {
        return records;
    }

    /** Target addresses for the additional section. */
    public List<Record> additionals() {
        return additionals;
    }

    /** Whether this name is an alias (an ExternalName Service); then it holds only the CNAME. */
    public boolean isCname() {
        return cname;
    }

    /** Whether this is an empty non-terminal. */
    public boolean isEmptyNonTerminal() {
        return records.isEmpty();
    }

    /**
     * The wire form of the records of {@code type} (not ANY), or {@code null} when there are none.
     * Computed once per entry and type.
     */
    Encoded encoded(int type) {
        int i = 0;
        while (i < types.length && types[i] != type) {
            i++;
        }
        if (i == types.length) {
            return null;
        }
        Encoded[] cache = encoded;
        if (cache == null) {
            cache = new Encoded[types.length];
            encoded = cache;
        }
        Encoded e = cache[i];
        if (e == null) {
            e = encode(byType.get(i), type == Type.SRV || type == Type.NS ? additionals : List.of());
            cache[i] = e;
        }
        return e;
    }

    private static Encoded encode(List<Record> rrs, List<Record> extra) {
        byte[][] answers = new byte[rrs.size()][];
        for (int i = 0; i < answers.length; i++) {
            Record r = rrs.get(i);
            byte[] full = r.toWire(org.xbill.DNS.Section.ANSWER);
            int ownerLength = r.getName().length();
            byte[] out = new byte[2 + full.length - ownerLength];
            out[0] = (byte) 0xC0;
            out[1] = 0x0C;
            System.arraycopy(full, ownerLength, out, 2, full.length - ownerLength);
            answers[i] = out;
        }
        java.io.ByteArrayOutputStream add = new java.io.ByteArrayOutputStream();
        for (Record r : extra) {
            add.writeBytes(r.toWire(org.xbill.DNS.Section.ADDITIONAL));
        }
        return new Encoded(answers, add.toByteArray(), extra.size());
    }

    /** The records of {@code type}; {@link Type#ANY} selects all. Allocates nothing. */
    public List<Record> recordsOfType(int type) {
        if (type == Type.ANY) {
            return records;
        }
        for (int i = 0; i < types.length; i++) {
            if (types[i] == type) {
                return byType.get(i);
            }
        }
        return List.of();
    }
}
