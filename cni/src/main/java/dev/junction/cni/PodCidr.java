package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;

/**
 * A node's IPv4 pod CIDR such as {@code 10.244.1.0/24}: the gateway is the first host address
 * ({@code .1}, on {@code cni0}) as in the CNI bridge plugin; pods get the hosts after it.
 *
 * @param network   the network address as an unsigned 32-bit value
 * @param prefixLen the prefix length, 8 to 30
 */
public record PodCidr(long network, int prefixLen) {

    public PodCidr {
        if (prefixLen < 8 || prefixLen > 30) {
            throw new IllegalArgumentException("prefixLen: " + prefixLen + " (expected: 8..30)");
        }
    }

    /**
     * @param cidr an IPv4 CIDR, e.g. {@code 10.244.1.0/24}
     * @throws IllegalArgumentException when it is not an IPv4 CIDR with a prefix of 8..30
     */
    public static PodCidr parse(String cidr) {
        requireNonNull(cidr, "cidr");
        IPAddress address = new IPAddressString(cidr).getAddress();
        if (address == null || !address.isIPv4() || address.getNetworkPrefixLength() == null) {
            throw new IllegalArgumentException("cidr: " + cidr + " (expected: an IPv4 CIDR such as 10.244.1.0/24)");
        }
        IPv4Address block = address.toIPv4().toPrefixBlock();
        return new PodCidr(block.getLower().longValue(), address.getNetworkPrefixLength());
    }

    /** The last address of the block (broadcast), as an unsigned 32-bit value. */
    public long broadcast() {
        return network | ((1L << (32 - prefixLen)) - 1);
    }

    /** The gateway address, {@code network + 1}, in dotted form. */
    public String gateway() {
        return format(network + 1);
    }

    /** True when {@code ip} (dotted IPv4) lies inside this block. */
    public boolean contains(String ip) {
        long value = parseIp(ip);
        return value >= network && value <= broadcast();
    }

    /** {@code a.b.c.d/len}. */
    @Override
    public String toString() {
        return format(network) + "/" + prefixLen;
    }

    /** Dotted form of an unsigned 32-bit IPv4 value. */
    static String format(long value) {
        return ((value >> 24) & 0xff) + "." + ((value >> 16) & 0xff) + "." + ((value >> 8) & 0xff) + "." + (value & 0xff);
    }

    /** @throws IllegalArgumentException when {@code ip} is not a dotted IPv4 address */
    static long parseIp(String ip) {
        IPAddress address = new IPAddressString(ip).getAddress();
        if (address == null || !address.isIPv4()) {
            throw new IllegalArgumentException("ip: " + ip + " (expected: an IPv4 address)");
        }
        return address.toIPv4().getLower().longValue();
    }
}
