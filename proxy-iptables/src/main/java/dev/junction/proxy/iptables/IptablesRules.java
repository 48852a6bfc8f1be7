package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.AsciiText;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rendered ruleset: the chains and rules of the {@code filter} and {@code nat} tables in the
 * order kube-proxy writes them, ready to become {@code iptables-restore --noflush} input. The nat
 * chain declarations and rules (the bulk: ~320,000 lines, ~31 MB at 10,000 Services × 10 endpoints)
 * stay as rendered, as bytes in the render's {@link IptablesRenderBuffers}, as upstream keeps them in
 * its {@code natChains}/{@code natRules} {@code LineBuffer}s (kubernetes pkg/proxy/iptables/proxier.go,
 * v1.33); {@link #restoreInputBytes(Collection)} copies them once into the input and
 * {@link #natRules()} splits them into lines on demand (tracer, tests). Read-only; valid until the
 * next render into the same buffers (a render without explicit buffers has its own).
 */
public final class IptablesRules {
    private static final byte[] CHAIN_TAIL = AsciiText.bytes(" - [0:0]\n");

    private final List<String> filterChains;
    private final List<String> filterRules;
    /** Where the nat chains and rules were rendered; valid while its generation is {@link #generation}. */
    private final IptablesRenderBuffers buffers;
    private final int generation;
    private List<String> natChains;
    private Set<String> activeChains;
    private List<String> natRules;

    /**
     * @param filterChains filter chains to declare (each becomes {@code :NAME - [0:0]}, which also flushes it)
     * @param filterRules  filter rule lines ({@code -A …})
     * @param natChains    nat chains to declare
     * @param natRules     nat rule lines
     * @param activeChains per-service nat chains in use, including those a partial render left out
     */
    public IptablesRules(List<String> filterChains, List<String> filterRules, List<String> natChains,
            List<String> natRules, Set<String> activeChains) {
        this(filterChains, filterRules, copyInto(new IptablesRenderBuffers(), natChains, natRules, activeChains), 1);
    }

    /**
     * Rules whose nat part is in {@code buffers} as rendered in {@code generation}: valid until the
     * next render into them. The buffers are not copied.
     */
    IptablesRules(List<String> filterChains, List<String> filterRules, IptablesRenderBuffers buffers, int generation) {
        this.filterChains = List.copyOf(filterChains);
        this.filterRules = List.copyOf(filterRules);
        this.buffers = requireNonNull(buffers, "buffers");
        this.generation = generation;
    }

    /** Filter chains to declare. */
    public List<String> filterChains() {
        return filterChains;
    }

    /** Filter rule lines ({@code -A …}). */
    public List<String> filterRules() {
        return filterRules;
    }

    /**
     * Nat chains to declare, in order (copied on first use).
     *
     * @throws IllegalStateException when a later render reused this ruleset's buffers
     */
    public synchronized List<String> natChains() {
        if (natChains == null) {
            natChains = List.copyOf(valid().natChains);
        }
        return natChains;
    }

    /**
     * Nat rule lines ({@code -A …}), in order (split from the text on first use).
     *
     * @throws IllegalStateException when a later render reused this ruleset's buffers
     */
    public synchronized List<String> natRules() {
        if (natRules == null) {
            AsciiText text = valid().natRules;
            natRules = text.isEmpty() ? List.of() : List.of(text.toString().split("\n"));
        }
        return natRules;
    }

    /**
     * Per-service nat chains in use, including those a partial render left out (read-only; built on
     * first use).
     *
     * @throws IllegalStateException when a later render reused this ruleset's buffers
     */
    public synchronized Set<String> activeChains() {
        if (activeChains == null) {
            activeChains = Collections.unmodifiableSet(new HashSet<>(valid().active));
        }
        return activeChains;
    }

    /**
     * The per-service nat chains this ruleset uses ({@code KUBE-SVC-…}, {@code KUBE-SEP-…}, …), sorted.
     *
     * @throws IllegalStateException when a later render reused this ruleset's buffers
     */
    public Set<String> activeServiceChains() {
        return new TreeSet<>(activeChains());
    }

    /** The restore input with no stale chains to delete. */
    public String restoreInput() {
        return restoreInput(Set.of());
    }

    /** {@link #restoreInputBytes(Collection)} as a String (UTF-8; ASCII in practice). */
    public String restoreInput(Collection<String> staleNatChains) {
        return new String(restoreInputBytes(staleNatChains), StandardCharsets.UTF_8);
    }

    /**
     * The full {@code iptables-restore} input as the bytes fed to its standard input:
     * {@code *filter} … {@code COMMIT}, {@code *nat} … {@code COMMIT}; each chain in
     * {@code staleNatChains} is declared (flushed) after the others and deleted with {@code -X}
     * after the rules, as upstream deletes chains it no longer renders. One exact-size array: the
     * rendered nat text is copied once.
     *
     * @param staleNatChains nat chains to delete (sorted before writing)
     * @return a new array (~31 MB at 10,000 Services × 10 endpoints)
     * @throws ArithmeticException   when the input would exceed 2 GiB
     * @throws IllegalStateException when a later render reused this ruleset's buffers
     */
    public synchronized byte[] restoreInputBytes(Collection<String> staleNatChains) {
        List<AsciiText> parts = restoreParts(staleNatChains);
        long size = 0;
        for (AsciiText t : parts) {
            size += t.length();
        }
        byte[] out = new byte[Math.toIntExact(size)];
        int at = 0;
        for (AsciiText t : parts) {
            at = t.copyTo(out, at);
        }
        return out;
    }

    /**
     * Writes the same bytes as {@link #restoreInputBytes(Collection)} to {@code out} without
     * assembling them (for a process's standard input).
     *
     * @throws UncheckedIOException  when {@code out} fails
     * @throws IllegalStateException when a later render reused this ruleset's buffers
     */
    public synchronized void writeRestoreInput(Collection<String> staleNatChains, OutputStream out) {
        try {
            for (AsciiText t : restoreParts(staleNatChains)) {
                t.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The restore input in order: filter + nat head, nat chain lines, stale chain lines, nat rules, deletes + COMMIT. */
    private List<AsciiText> restoreParts(Collection<String> staleNatChains) {
        IptablesRenderBuffers b = valid();
        AsciiText staleLines = new AsciiText(64);
        AsciiText tail = new AsciiText(64);
        for (String c : new TreeSet<>(staleNatChains)) {
            staleLines.append(':').append(c).append(CHAIN_TAIL);
            tail.append("-X ").append(c).append('\n');
        }
        tail.append("COMMIT\n");
        return List.of(head(), b.natChainLines, staleLines, b.natRules, tail);
    }

    /** {@code *filter} … {@code COMMIT} and {@code *nat}. */
    private AsciiText head() {
        AsciiText head = new AsciiText(4096);
        head.append("*filter\n");
        for (String c : filterChains) {
            head.append(':').append(c).append(CHAIN_TAIL);
        }
        for (String r : filterRules) {
            head.append(r).append('\n');
        }
        return head.append("COMMIT\n*nat\n");
    }

    private IptablesRenderBuffers valid() {
        if (buffers.generation() != generation) {
            throw new IllegalStateException("these rules were overwritten by a later render into the same buffers");
        }
        return buffers;
    }

    private static IptablesRenderBuffers copyInto(IptablesRenderBuffers buffers, List<String> natChains,
            List<String> natRules, Set<String> activeChains) {
        buffers.reset();
        for (String c : natChains) {
            buffers.natChains.add(c);
            buffers.natChainLines.append(':').append(c).append(CHAIN_TAIL);
        }
        for (String r : natRules) {
            buffers.natRules.append(r).append('\n');
        }
        buffers.active.addAll(activeChains);
        return buffers;
    }

    @Override
    public String toString() {
        return "IptablesRules[generation " + generation + ", " + filterRules.size() + " filter rules]";
    }
}
