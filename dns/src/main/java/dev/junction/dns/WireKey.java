package dev.junction.dns;

import java.util.Arrays;
import org.xbill.DNS.Name;

/**
 * A name as its lowercased, uncompressed wire form (RFC 1035 section 3.1, compared
 * case-insensitively as RFC 4343 requires), the key of the {@link LiveIndex}'s wire table: the
 * {@link WireFastPath} looks a query's name up straight from the datagram's bytes through a
 * {@link Probe}, without building a dnsjava {@link Name} (whose parsing grows an array per
 * label: the largest allocation of the UDP path, measured with JFR).
 */
final class WireKey {
    private final byte[] bytes;
    private final int hash;

    private WireKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = hash(bytes, 0, bytes.length);
    }

    /** The key of an absolute name. */
    static WireKey of(Name name) {
        return new WireKey(name.toWireCanonical());
    }

    /** The hash of the lowercased bytes {@code [from, to)} of {@code wire}. */
    static int hash(byte[] wire, int from, int to) {
        int h = 1;
        for (int i = from; i < to; i++) {
            h = 31 * h + lower(wire[i]);
        }
        return h;
    }

    /** ASCII lowercase; label length bytes (0-63) are never in 'A'-'Z'. */
    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * A lookup key over a range of a query's bytes, matched case-insensitively against stored
     * {@link WireKey}s. Only for {@code map.get(probe)}: {@code ConcurrentHashMap.get} calls
     * {@code probe.equals(storedKey)}, never the reverse, so the asymmetric equality is safe there;
     * never store a probe in a map.
     */
    static final class Probe {
        private final byte[] wire;
        private final int from;
        private final int to;
        private final int hash;

        /** The name at {@code wire[from, to)}: uncompressed labels ending with the root label. */
        Probe(byte[] wire, int from, int to) {
            this.wire = wire;
            this.from = from;
            this.to = to;
            this.hash = WireKey.hash(wire, from, to);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof WireKey k) || k.hash != hash || k.bytes.length != to - from) {
                return false;
            }
            byte[] b = k.bytes;
            for (int i = 0; i < b.length; i++) {
                if (lower(wire[from + i]) != b[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
