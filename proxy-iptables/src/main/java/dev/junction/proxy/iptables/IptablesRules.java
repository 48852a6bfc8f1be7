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
 */
public record IptablesRules(List<String> filterChains, List<String> filterRules, List<String> natChains,
        List<String> natRules) {

    public IptablesRules {
        filterChains = List.copyOf(filterChains);
        filterRules = List.copyOf(filterRules);
        natChains = List.copyOf(natChains);
        natRules = List.copyOf(natRules);
    }

    /** The per-service nat chains this ruleset uses ({@code KUBE-SVC-…}, {@code KUBE-SEP-…}, …). */
    public Set<String> activeServiceChains() {
        Set<String> out = new TreeSet<>();
        natChains.stream().filter(IptablesChains::isServiceChain).forEach(out::add);
        return out;
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
        StringBuilder out = new StringBuilder(4096);
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
