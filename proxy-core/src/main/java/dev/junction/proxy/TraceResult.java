package dev.junction.proxy;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a rule tracer concluded for one {@link TracedPacket}, over every branch of random endpoint
 * selection.
 *
 * @param verdict    {@link Verdict#ACCEPT} (delivered, DNATed or not), {@link Verdict#DROP} or
 *                   {@link Verdict#REJECT}
 * @param endpoints  every {@code ip:port} the packet may be DNATed to (empty: not DNATed)
 * @param masquerade whether the packet is SNATed on its way out
 * @param chains     the chains visited on the first branch, in order (for debugging)
 */
public record TraceResult(Verdict verdict, SortedSet<String> endpoints, boolean masquerade, List<String> chains) {
    /** The final fate of a packet. */
    public enum Verdict { ACCEPT, DROP, REJECT }

    public TraceResult {
        endpoints = new TreeSet<>(endpoints);
        chains = List.copyOf(chains);
    }

    /** A short form for table-driven tests: {@code "REJECT"}, {@code "DROP"}, or {@code "10.0.0.1:80,10.0.0.2:80"}. */
    public String output() {
        if (verdict != Verdict.ACCEPT) {
            return verdict.name();
        }
        return String.join(",", endpoints);
    }
}
