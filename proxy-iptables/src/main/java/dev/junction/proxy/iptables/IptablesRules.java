package dev.junction.proxy.iptables;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rendered ruleset: the chains and rules of the {@code filter} and {@code nat} tables in the
 * order kube-proxy writes them, ready to become {@code iptables-restore --noflush} input.
 *
 * @param filterChains filter chains to declare (each becomes {@code :NAME - [0:0]}, which also flushes it)
 * @param filterRules  filter rule lines ({@code -A …})
 * @param natChains    nat chains to declare
 * @param natRules     nat rule lines
 * @param activeChains per-service nat chains in use, including those a partial render left out (kept
 *                     as given, read-only: the renderer hands over a set it no longer touches)
 */
public record IptablesRules(List<String> filterChains, List<String> filterRules, List<String> natChains,
        List<String> natRules, Set<String> activeChains) {

    public IptablesRules {
        filterChains = List.copyOf(filterChains);
        filterRules = List.copyOf(filterRules);
        natChains = List.copyOf(natChains);
        natRules = List.copyOf(natRules);
        activeChains = java.util.Collections.unmodifiableSet(activeChains);
    }

    /** The per-service nat chains this ruleset uses ({@code KUBE-SVC-…}, {@code KUBE-SEP-…}, …), sorted. */
    public Set<String> activeServiceChains() {
        return new TreeSet<>(activeChains);
    }

    /** The restore input with no stale chains to delete. */
    public String restoreInput() {
        return restoreInput(Set.of());
    }

    /**
     * The full {@code iptables-restore} input: {@code *filter} … {@code COMMIT}, {@code *nat} …
     * {@code COMMIT}; each chain in {@code staleNatChains} is declared (flushed) and then deleted
     * with {@code -X}, as upstream deletes chains it no longer renders.
     */
    public String restoreInput(Collection<String> staleNatChains) {
        List<String> natChainLines = new ArrayList<>(natChains);
        List<String> natRuleLines = new ArrayList<>(natRules);
        for (String stale : new TreeSet<>(staleNatChains)) {
            natChainLines.add(stale);
            natRuleLines.add("-X " + stale);
        }
        int size = 64;
        for (String line : natRules) {
            size += line.length() + 1;
        }
        StringBuilder out = new StringBuilder(size + natChains.size() * 40 + filterRules.size() * 160);
        out.append("*filter\n");
        filterChains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        filterRules.forEach(r -> out.append(r).append('\n'));
        out.append("COMMIT\n*nat\n");
        natChainLines.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        natRuleLines.forEach(r -> out.append(r).append('\n'));
        out.append("COMMIT\n");
        return out.toString();
    }
}
