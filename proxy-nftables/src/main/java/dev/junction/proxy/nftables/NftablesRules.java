package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.AsciiText;
import dev.junction.proxy.ServicePortName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The desired content of the {@code ip kube-proxy} table: the base objects (table, sets, maps,
 * base and top-level chains with their rules, which depend only on configuration and the Node) and
 * what each Service port adds. {@link #dump()} is the state as {@code add} commands (the shape of
 * knftables' {@code Fake.Dump()}); {@link #fullTransaction()} and
 * {@link #incrementalTransaction(NftablesRules)} are {@code nft -f} inputs that make the kernel
 * match it.
 *
 * @param baseLines {@code add …} lines of the base objects, in a valid order
 * @param services  per Service port objects, sorted by name
 */
public record NftablesRules(java.util.List<String> baseLines, SortedMap<ServicePortName, NftServiceRules> services) {
    private static final String PREFIX = "ip " + NftablesChains.TABLE + " ";

    private static final byte[] ADD_CHAIN = AsciiText.bytes("add chain " + PREFIX);
    private static final byte[] ADD_RULE = AsciiText.bytes("add rule " + PREFIX);
    private static final byte[] ADD_ELEMENT = AsciiText.bytes("add element " + PREFIX);
    private static final byte[] TABLE_RESET = AsciiText.bytes("add table " + PREFIX.strip() + "\ndelete table "
            + PREFIX.strip() + "\n");
    private static final byte[] ELEMENT_SEPARATOR = AsciiText.bytes(", ");
    private static final byte[] BRACE_OPEN = AsciiText.bytes(" { ");
    private static final byte[] BRACE_CLOSE_LINE = AsciiText.bytes(" }\n");

    /**
     * Copies {@code services} into a sorted map of its own, unless it is a {@link ServiceMap} (the
     * renderer's fresh map, which nothing else references: taken as it is).
     */
    public NftablesRules {
        baseLines = java.util.List.copyOf(baseLines);
        services = Collections.unmodifiableSortedMap(services instanceof ServiceMap ? services : new TreeMap<>(services));
    }

    /**
     * A sorted map that {@link NftablesRules} takes without copying: package-private, only for a
     * map built for one {@code NftablesRules} and not modified after it is constructed (saves a
     * 10,000-entry TreeMap copy per full render), or for the proxier's kept map of rendered ports,
     * whose {@code NftablesRules} view is used only within the sync that made it (saves that copy on
     * every incremental sync).
     */
    static final class ServiceMap extends TreeMap<ServicePortName, NftServiceRules> {
        private static final long serialVersionUID = 1L;
    }

    /** The whole desired state as {@code add} lines (one line per object, knftables' {@code Fake.Dump()} shape). */
    public String dump() {
        return new String(dumpBytes(), StandardCharsets.UTF_8);
    }

    /** {@link #dump()} as bytes (UTF-8; ASCII in practice), written into fresh buffers. */
    public byte[] dumpBytes() {
        return dumpBytes(new NftTextBuffers());
    }

    /**
     * {@link #dump()} as bytes, written into {@code buffers} (their previous text is forgotten) and
     * copied once into an array of exactly its size.
     */
    public byte[] dumpBytes(NftTextBuffers buffers) {
        requireNonNull(buffers, "buffers");
        buffers.reset();
        AsciiText out = buffers.text;
        baseLines.forEach(l -> out.append(l).append('\n'));
        for (NftServiceRules s : services.values()) {
            appendAdds(out, s);
        }
        return out.toByteArray();
    }

    /**
     * A transaction that replaces the table atomically: {@code add table} (so that the delete never
     * fails), {@code delete table}, the base objects, every Service port's affinity sets, chains and
     * rules, and last every element, one {@code add element ip kube-proxy NAME { e1, e2, … }} per
     * set or map (upstream knftables writes one command per element; one batched command per
     * container is the same netlink transaction for nft with fewer commands to parse and evaluate).
     * ClientIP affinity entries are lost. Elements come last so that every chain they name exists.
     */
    public String fullTransaction() {
        return new String(fullTransactionBytes(new NftTextBuffers()), StandardCharsets.UTF_8);
    }

    /**
     * {@link #fullTransaction()} as the bytes {@code nft -f -} reads, written into {@code buffers}
     * (their previous text is forgotten; {@link NftTextBuffers#lastText()} shows it until the next
     * write) and copied once into an array of exactly its size.
     */
    public byte[] fullTransactionBytes(NftTextBuffers buffers) {
        requireNonNull(buffers, "buffers");
        buffers.reset();
        AsciiText out = buffers.text;
        out.append(TABLE_RESET);
        baseLines.forEach(l -> out.append(l).append('\n'));
        String lastContainer = null;
        AsciiText list = null;
        for (NftServiceRules s : services.values()) {
            s.affinitySets().forEach(l -> out.append(l).append('\n'));
            for (NftChain chain : s.chains()) {
                out.append(ADD_CHAIN).append(chain.name()).append('\n');
            }
            appendRules(out, s);
            for (NftElement e : s.elements()) {
                if (!e.container().equals(lastContainer)) {
                    lastContainer = e.container();
                    list = buffers.elements(lastContainer);
                }
                if (!list.isEmpty()) {
                    list.append(ELEMENT_SEPARATOR);
                }
                e.appendElement(list);
            }
        }
        buffers.elementLists().forEach((container, elements) -> {
            if (!elements.isEmpty()) {
                out.append(ADD_ELEMENT).append(container).append(BRACE_OPEN).append(elements).append(BRACE_CLOSE_LINE);
            }
        });
        return out.toByteArray();
    }

    /**
     * A transaction that turns {@code previous} (the state applied last, same base objects) into
     * this state touching only Service ports whose objects differ, in an order nft accepts: stale
     * elements are deleted, changed chains are re-created and flushed and refilled, new elements
     * are added, then stale chains are flushed and deleted and stale affinity sets deleted. Empty when
     * nothing changed. The text of {@link #incrementalOps(NftablesRules)}.
     */
    public String incrementalTransaction(NftablesRules previous) {
        return NftOp.text(incrementalOps(previous));
    }

    /**
     * The commands of {@link #incrementalTransaction(NftablesRules)}, in order (empty when nothing
     * changed), so that they can also be sent as one nf_tables netlink batch.
     */
    public List<NftOp> incrementalOps(NftablesRules previous) {
        requireNonNull(previous, "previous");
        Set<ServicePortName> names = new LinkedHashSet<>(previous.services.keySet());
        names.addAll(services.keySet());
        return incrementalOps(previous, names);
    }

    /**
     * {@link #incrementalOps(NftablesRules)} looking only at {@code candidates}: the caller
     * guarantees that every other Service port has the same rules in both states (the proxier
     * knows which ports it re-rendered). Same commands in the same order: ports of
     * {@code previous} in name order, then new ports in name order.
     */
    public List<NftOp> incrementalOps(NftablesRules previous, java.util.Collection<ServicePortName> candidates) {
        requireNonNull(previous, "previous");
        TreeSet<ServicePortName> sorted = new TreeSet<>(candidates);
        List<ServicePortName> names = new ArrayList<>(sorted.size());
        for (ServicePortName name : sorted) {
            if (previous.services.containsKey(name)) {
                names.add(name);
            }
        }
        for (ServicePortName name : sorted) {
            if (!previous.services.containsKey(name)) {
                names.add(name);
            }
        }
        List<NftOp> deletes = new ArrayList<>();
        List<NftOp> adds = new ArrayList<>();
        Set<String> currentChains = new HashSet<>();
        Set<String> staleChains = new LinkedHashSet<>();
        Set<String> staleSets = new LinkedHashSet<>();
        for (ServicePortName name : names) {
            NftServiceRules before = previous.services.get(name);
            NftServiceRules after = services.get(name);
            if (before == after || before != null && before.equals(after)) {
                continue;
            }
            Set<NftElement> keep = after == null ? Set.of() : new HashSet<>(after.elements());
            Set<NftElement> had = before == null ? Set.of() : new HashSet<>(before.elements());
            if (before != null) {
                for (NftElement e : before.elements()) {
                    if (!keep.contains(e)) {
                        deletes.add(new NftOp.DeleteElement(e));
                    }
                }
                before.chains().forEach(c -> staleChains.add(c.name()));
                before.affinitySets().forEach(s -> staleSets.add(setName(s)));
            }
            if (after != null) {
                after.affinitySets().forEach(s -> {
                    adds.add(new NftOp.AddSetLine(s));
                    staleSets.remove(setName(s));
                });
                for (NftChain chain : after.chains()) {
                    adds.add(new NftOp.AddChain(chain.name()));
                    adds.add(new NftOp.FlushChain(chain.name()));
                    currentChains.add(chain.name());
                }
                for (NftChain chain : after.chains()) {
                    for (String rule : chain.rules()) {
                        adds.add(new NftOp.AddRule(chain.name(), rule));
                    }
                }
                for (NftElement e : after.elements()) {
                    if (!had.contains(e)) {
                        adds.add(new NftOp.AddElement(e));
                    }
                }
            }
        }
        staleChains.removeAll(currentChains);
        dropSharedElementDeletes(deletes);
        List<NftOp> out = deletes;
        out.addAll(adds);
        staleChains.forEach(c -> out.add(new NftOp.FlushChain(c)));
        staleChains.forEach(c -> out.add(new NftOp.DeleteChain(c)));
        staleSets.forEach(s -> out.add(new NftOp.DeleteSet(s)));
        return out;
    }

    /**
     * Removes deletes of {@code cluster-ips} elements that another Service port of this state still
     * has (every port of a Service adds its ClusterIP; removing one port must not remove the
     * address while the others remain). Only scans the state when such a delete exists.
     */
    private void dropSharedElementDeletes(List<NftOp> deletes) {
        if (deletes.stream().noneMatch(op -> ((NftOp.DeleteElement) op).element().container().equals("cluster-ips"))) {
            return;
        }
        Set<NftElement> wanted = new HashSet<>();
        for (NftServiceRules s : services.values()) {
            for (NftElement e : s.elements()) {
                if (e.container().equals("cluster-ips")) {
                    wanted.add(e);
                }
            }
        }
        deletes.removeIf(op -> wanted.contains(((NftOp.DeleteElement) op).element()));
    }

    /** Number of chains, rules and elements, for metrics and benchmarks. */
    public Map<String, Integer> counts() {
        int chains = 0;
        int rules = 0;
        int elements = 0;
        for (NftServiceRules s : services.values()) {
            chains += s.chains().size();
            for (NftChain c : s.chains()) {
                rules += c.rules().size();
            }
            elements += s.elements().size();
        }
        return Map.of("chains", chains, "rules", rules, "elements", elements);
    }

    private static void appendAdds(AsciiText out, NftServiceRules s) {
        for (String l : s.affinitySets()) {
            out.append(l).append('\n');
        }
        for (NftChain chain : s.chains()) {
            out.append(ADD_CHAIN).append(chain.name()).append('\n');
        }
        appendRules(out, s);
        for (NftElement e : s.elements()) {
            e.appendAddLine(out);
            out.append('\n');
        }
    }

    private static void appendRules(AsciiText out, NftServiceRules s) {
        for (NftChain chain : s.chains()) {
            String name = chain.name();
            for (String rule : chain.rules()) {
                out.append(ADD_RULE).append(name).append(' ').append(rule).append('\n');
            }
        }
    }

    private static String setName(String addSetLine) {
        return addSetLine.substring(("add set " + PREFIX).length()).split(" ", 2)[0];
    }
}
