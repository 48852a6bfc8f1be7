package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rendered ruleset: the chains and rules of the {@code filter} and {@code nat} tables in the
 * order kube-proxy writes them, ready to become {@code iptables-restore --noflush} input. Immutable.
 * The nat rules (the bulk: ~320,000 lines at 10,000 Services × 10 endpoints) are kept as one text,
 * as upstream keeps them in a {@code LineBuffer}; {@link #natRules()} splits it on demand.
 */
public final class IptablesRules {
    private final List<String> filterChains;
    private final List<String> filterRules;
    private final List<String> natChains;
    /** The renderer's buffer, handed over and never written again (or a String); never exposed. */
    private final CharSequence natRulesText;
    private final Set<String> activeChains;
    private List<String> natRules;

    /**
     * @param filterChains filter chains to declare (each becomes {@code :NAME - [0:0]}, which also flushes it)
     * @param filterRules  filter rule lines ({@code -A …})
     * @param natChains    nat chains to declare
     * @param natRules     nat rule lines
     * @param activeChains per-service nat chains in use, including those a partial render left out (kept
     *                     as given, read-only: the caller hands over a set it no longer touches)
     */
    public IptablesRules(List<String> filterChains, List<String> filterRules, List<String> natChains,
            List<String> natRules, Set<String> activeChains) {
        this(filterChains, filterRules, natChains, natRules.isEmpty() ? "" : String.join("\n", natRules) + "\n",
                activeChains);
    }

    /**
     * As above with the nat rules as text: lines each ending with a newline. The caller hands
     * {@code natRulesText} over and never modifies it again (the renderer's buffer: no copy).
     */
    IptablesRules(List<String> filterChains, List<String> filterRules, List<String> natChains, CharSequence natRulesText,
            Set<String> activeChains) {
        this.filterChains = List.copyOf(filterChains);
        this.filterRules = List.copyOf(filterRules);
        this.natChains = List.copyOf(natChains);
        this.natRulesText = requireNonNull(natRulesText, "natRulesText");
        this.activeChains = Collections.unmodifiableSet(requireNonNull(activeChains, "activeChains"));
    }

    /** Filter chains to declare. */
    public List<String> filterChains() {
        return filterChains;
    }

    /** Filter rule lines ({@code -A …}). */
    public List<String> filterRules() {
        return filterRules;
    }

    /** Nat chains to declare. */
    public List<String> natChains() {
        return natChains;
    }

    /** Nat rule lines ({@code -A …}), in order (split from the text on first use). */
    public synchronized List<String> natRules() {
        if (natRules == null) {
            natRules = natRulesText.isEmpty() ? List.of() : List.of(natRulesText.toString().split("\n"));
        }
        return natRules;
    }

    /** Per-service nat chains in use, including those a partial render left out (read-only). */
    public Set<String> activeChains() {
        return activeChains;
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
        Set<String> stale = new TreeSet<>(staleNatChains);
        // One buffer of the exact size: this text is ~30 MB at 10,000 Services × 10 endpoints.
        long size = "*filter\nCOMMIT\n*nat\nCOMMIT\n".length() + natRulesText.length();
        for (String c : filterChains) {
            size += c.length() + 10; // ":" NAME " - [0:0]\n"
        }
        for (String r : filterRules) {
            size += r.length() + 1;
        }
        for (String c : natChains) {
            size += c.length() + 10;
        }
        for (String c : stale) {
            size += 2L * c.length() + 14; // declaration + "-X NAME\n"
        }
        StringBuilder out = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, size));
        out.append("*filter\n");
        for (String c : filterChains) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        for (String r : filterRules) {
            out.append(r).append('\n');
        }
        out.append("COMMIT\n*nat\n");
        for (String c : natChains) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        for (String c : stale) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        out.append(natRulesText);
        for (String c : stale) {
            out.append("-X ").append(c).append('\n');
        }
        out.append("COMMIT\n");
        return out.toString();
    }

    @Override
    public String toString() {
        return "IptablesRules[" + natChains.size() + " nat chains, " + filterRules.size() + " filter rules]";
    }
}
