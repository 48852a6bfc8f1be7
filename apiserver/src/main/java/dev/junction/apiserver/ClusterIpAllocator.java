package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Allocates Service ClusterIPs from {@code --service-cluster-ip-range} (IPv4), like upstream
 * {@code pkg/registry/core/service/ipallocator/bitmap.go} with the static/dynamic split of KEP-3070:
 * dynamic allocations come from the upper band first so that the lower band stays free for
 * requested (static) addresses. The network address and the broadcast address are never handed out;
 * the first usable address is the {@code kubernetes} Service's. Not thread-safe: callers hold the
 * store lock.
 */
public final class ClusterIpAllocator {
    private final String cidr;
    private final long base;
    private final int size;
    private final int staticBand;
    private final BitSet used;

    /**
     * @param cidr an IPv4 CIDR such as {@code 10.96.0.0/12}
     * @throws IllegalArgumentException when not an IPv4 CIDR of prefix /8 to /30
     */
    public ClusterIpAllocator(String cidr) {
        requireNonNull(cidr, "cidr");
        IPAddress net = new IPAddressString(cidr).getAddress();
        if (net == null || !net.isIPv4() || net.getNetworkPrefixLength() == null || net.getNetworkPrefixLength() < 8
                || net.getNetworkPrefixLength() > 30) {
            throw new IllegalArgumentException("service-cluster-ip-range: " + cidr + " (expected: IPv4 CIDR /8../30)");
        }
        IPAddress block = net.toPrefixBlock();
        this.cidr = block.toCanonicalString();
        this.base = block.getLower().getValue().longValue();
        this.size = block.getCount().intValue();
        this.staticBand = Math.min(Math.max(16, size / 16), 256);
        this.used = new BitSet(size);
    }

    /** The range in canonical form, e.g. {@code 10.96.0.0/12}. */
    public String range() {
        return cidr;
    }

    /** The first usable address, e.g. {@code 10.96.0.1}: the {@code kubernetes} Service's ClusterIP. */
    public String first() {
        return toString(base + 1);
    }

    /** Whether {@code ip} is a usable address of the range (not the network or broadcast address). */
    public boolean contains(String ip) {
        long v = parse(ip);
        return v > base && v < base + size - 1;
    }

    /** Whether {@code ip} is allocated. */
    public boolean isAllocated(String ip) {
        return contains(ip) && used.get((int) (parse(ip) - base));
    }

    /**
     * Marks a specific address allocated.
     *
     * @return the error detail as upstream words it, or empty on success
     */
    public java.util.Optional<String> allocate(String ip) {
        if (parse(ip) < 0 || !contains(ip)) {
            return java.util.Optional.of("failed to allocate IP " + ip + ": the provided IP (" + ip
                    + ") is not in the valid range. The range of valid IPs is " + cidr);
        }
        int off = (int) (parse(ip) - base);
        if (used.get(off)) {
            return java.util.Optional.of("failed to allocate IP " + ip + ": provided IP is already allocated");
        }
        used.set(off);
        return java.util.Optional.empty();
    }

    /**
     * Allocates a free address, dynamic band first.
     *
     * @return the address, or empty when the range is full
     */
    public java.util.Optional<String> allocateNext() {
        int lo = Math.min(staticBand, size - 2);
        java.util.OptionalInt off = pick(lo + 1, size - 2);
        if (off.isEmpty()) {
            off = pick(1, lo);
        }
        if (off.isEmpty()) {
            return java.util.Optional.empty();
        }
        used.set(off.getAsInt());
        return java.util.Optional.of(toString(base + off.getAsInt()));
    }

    /** Frees an address; unknown or out-of-range addresses are ignored. */
    public void release(String ip) {
        if (parse(ip) >= 0 && contains(ip)) {
            used.clear((int) (parse(ip) - base));
        }
    }

    /** Number of allocated addresses. */
    public int allocatedCount() {
        return used.cardinality();
    }

    private java.util.OptionalInt pick(int from, int to) {
        if (from > to) {
            return java.util.OptionalInt.empty();
        }
        int span = to - from + 1;
        int start = from + ThreadLocalRandom.current().nextInt(span);
        int free = used.nextClearBit(start);
        if (free > to) {
            free = used.nextClearBit(from);
        }
        return free <= to ? java.util.OptionalInt.of(free) : java.util.OptionalInt.empty();
    }

    private static long parse(String ip) {
        if (ip.contains("/")) {
            return -1;
        }
        IPAddress a = new IPAddressString(ip).getAddress();
        return a == null || !a.isIPv4() ? -1 : a.getValue().longValue();
    }

    private static String toString(long v) {
        return ((v >> 24) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
    }
}
