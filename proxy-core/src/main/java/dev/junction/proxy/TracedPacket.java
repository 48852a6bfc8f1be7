package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

/**
 * A synthetic first packet of a connection for a rule tracer (as upstream's packet-flow tests in
 * pkg/proxy/iptables/proxier_test.go and pkg/proxy/nftables/helpers_test.go {@code tracePacket}).
 *
 * @param sourceIP IPv4 source address
 * @param destIP   IPv4 destination address
 * @param destPort destination port (1..65535)
 * @param protocol transport protocol
 * @param ingress  where the packet enters this node's netfilter
 */
public record TracedPacket(String sourceIP, String destIP, int destPort, Protocol protocol, Ingress ingress) {
    /** Where a packet comes from. */
    public enum Ingress {
        /** Sent by a process on the node itself (nat OUTPUT, filter OUTPUT). */
        LOCAL,
        /** Arrives on an interface: from a pod on this node or from another host (nat PREROUTING, filter INPUT/FORWARD). */
        OUTSIDE
    }

    public TracedPacket {
        requireNonNull(sourceIP, "sourceIP");
        requireNonNull(destIP, "destIP");
        requireNonNull(protocol, "protocol");
        requireNonNull(ingress, "ingress");
        if (destPort < 1 || destPort > 65_535) {
            throw new IllegalArgumentException("destPort: " + destPort + " (expected: 1..65535)");
        }
    }

    /** A TCP packet from outside the node. */
    public static TracedPacket tcp(String sourceIP, String destIP, int destPort) {
        return new TracedPacket(sourceIP, destIP, destPort, Protocol.TCP, Ingress.OUTSIDE);
    }

    /** This packet as if sent by the node itself. */
    public TracedPacket fromNode() {
        return new TracedPacket(sourceIP, destIP, destPort, protocol, Ingress.LOCAL);
    }
}
