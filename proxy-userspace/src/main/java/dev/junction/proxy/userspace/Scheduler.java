package dev.junction.proxy.userspace;

import java.util.Locale;

/**
 * How the userspace proxy picks an endpoint for a new connection: the IPVS scheduler names
 * (ipvsadm(8), Linux net/netfilter/ipvs/ip_vs_*.c), every endpoint with weight 1.
 */
public enum Scheduler {
    /** Round robin (upstream userspace mode's {@code LoadBalancerRR}, the default). */
    RR,
    /** Least connections: fewest active connections, first in order on a tie. */
    LC,
    /** Destination hashing: a hash of the Service address (one endpoint per Service while the set is unchanged). */
    DH,
    /** Source hashing: a hash of the client address. */
    SH,
    /** Shortest expected delay: minimum (active + 1) / weight; with equal weights as {@link #LC}. */
    SED,
    /** Never queue: an idle endpoint if there is one, else {@link #SED}. */
    NQ;

    /**
     * Parses {@code rr}, {@code lc}, {@code dh}, {@code sh}, {@code sed} or {@code nq}.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static Scheduler parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("scheduler: " + value + " (expected: rr, lc, dh, sh, sed or nq)", e);
        }
    }
}
