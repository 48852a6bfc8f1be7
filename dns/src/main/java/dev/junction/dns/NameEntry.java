package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Everything the index holds at one owner name. An entry with no records is an empty
 * non-terminal (it exists, so queries get NODATA rather than NXDOMAIN, RFC 8020).
 * Record owner names are the canonical lower-case names; answers rename them to the question's
 * spelling.
 */
public final class NameEntry {
    private final List<Record> records;
    private final List<Record> additionals;
    private final boolean cname;

    /**
     * @param records     the RRsets at this name, any types
     * @param additionals records for the additional section of SRV and NS answers (targets' A/AAAA)
     */
    public NameEntry(List<Record> records, List<Record> additionals) {
        this.records = List.copyOf(requireNonNull(records, "records"));
        this.additionals = List.copyOf(requireNonNull(additionals, "additionals"));
        this.cname = !this.records.isEmpty() && this.records.get(0).getType() == Type.CNAME;
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

    /** The records of {@code type}; {@link Type#ANY} selects all. */
    public List<Record> recordsOfType(int type) {
        if (type == Type.ANY) {
            return records;
        }
        List<Record> out = null;
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            if (r.getType() == type) {
                if (out == null) {
                    out = new ArrayList<>(records.size() - i);
                }
                out.add(r);
            }
        }
        return out == null ? List.of() : out;
    }
}
