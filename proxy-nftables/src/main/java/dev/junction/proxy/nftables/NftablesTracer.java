package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.TraceResult;
import dev.junction.proxy.TraceResult.Verdict;
import dev.junction.proxy.TracedPacket;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Walks a synthetic packet through a rendered {@code kube-proxy} table (the text of
 * {@link NftablesRules#dump()}), like upstream's {@code nftablesTracer} (kubernetes
 * pkg/proxy/nftables/helpers_test.go {@code tracePacket}): it recognises exactly the rule shapes
 * {@link NftablesRenderer} writes, and walks the base chains in hook and priority order:
 * from the node {@code filter-output-pre-dnat} → {@code nat-output} → {@code filter-output} →
 * {@code nat-postrouting}; from outside {@code filter-prerouting-pre-dnat} → {@code nat-prerouting}
 * → {@code filter-input} (destination local after DNAT) or {@code filter-forward} →
 * {@code nat-postrouting}. {@code numgen} maps are followed to every endpoint; affinity sets are
 * empty (a first connection); {@code ct state new} always holds.
 *
 * @throws IllegalStateException (from {@link #trace}) on a rule shape it does not know
 */
public final class NftablesTracer {
    private static final Pattern RULE = Pattern.compile("^add rule ip kube-proxy (\\S+) (.*)$");
    private static final Pattern ELEMENT = Pattern.compile("^add element ip kube-proxy (\\S+) \\{ (.*?)(?: comment \"[^\"]*\")?(?: : (.*))? }$");
    private static final Pattern COMMENT = Pattern.compile(" *comment \"[^\"]*\"$");
    private static final Pattern DEST_DISPATCH = Pattern.compile("^ip daddr \\. meta l4proto \\. th dport vmap @(\\S+)");
    private static final Pattern PORT_DISPATCH = Pattern.compile("^meta l4proto \\. th dport vmap @(\\S+)");
    private static final Pattern ADDR_SET = Pattern.compile("^ip ([sd])addr (!= )?@(\\S+)");
    private static final Pattern ADDR_ANON = Pattern.compile("^ip ([sd])addr (!= )?\\{ ([^}]*) }");
    private static final Pattern ADDR = Pattern.compile("^ip ([sd])addr (!= )?([0-9./]+)");
    private static final Pattern FIB = Pattern.compile("^fib ([sd])addr type local");
    private static final Pattern NUMGEN = Pattern.compile("^numgen random mod \\d+ vmap \\{ (.*) }$");
    private static final Pattern MARK_CHECK = Pattern.compile("^mark and (\\S+) == 0");
    private static final Pattern MARK_SET = Pattern.compile("^mark set mark (or|xor) (\\S+)$");
    private static final Pattern DNAT = Pattern.compile("^meta l4proto (\\S+) dnat to (\\S+)$");
    private static final Pattern UPDATE = Pattern.compile("^update @\\S+ \\{ ip saddr }");
    private static final Pattern VERDICT = Pattern.compile("^(jump|goto) (\\S+)$|^(drop|reject|return|accept)$");

    private final Map<String, List<String>> chains = new HashMap<>();
    private final Map<String, List<String[]>> elements = new HashMap<>();
    private final List<IPAddress> localAddresses = new ArrayList<>();

    /**
     * @param dump           {@link NftablesRules#dump()} (or any {@code add …} listing of the table)
     * @param localAddresses the node's own addresses ({@code fib … type local}); 127.0.0.0/8 is always local
     */
    public NftablesTracer(String dump, List<String> localAddresses) {
        requireNonNull(dump, "dump");
        for (String line : dump.split("\n")) {
            Matcher rule = RULE.matcher(line);
            if (rule.matches()) {
                chains.computeIfAbsent(rule.group(1), c -> new ArrayList<>()).add(rule.group(2));
                continue;
            }
            Matcher element = ELEMENT.matcher(line);
            if (element.matches()) {
                elements.computeIfAbsent(element.group(1), c -> new ArrayList<>())
                        .add(new String[] {element.group(2), element.group(3) == null ? "" : element.group(3)});
            }
        }
        this.localAddresses.add(new IPAddressString("127.0.0.0/8").getAddress());
        localAddresses.forEach(a -> this.localAddresses.add(new IPAddressString(a).getAddress()));
    }

    /** Traces one packet. */
    public TraceResult trace(TracedPacket packet) {
        requireNonNull(packet, "packet");
        boolean local = packet.ingress() == TracedPacket.Ingress.LOCAL;
        List<State> states = List.of(new State(packet));
        states = hook(local ? "filter-output-pre-dnat" : "filter-prerouting-pre-dnat", states);
        states = hook(local ? "nat-output" : "nat-prerouting", states);
        List<State> filtered = new ArrayList<>();
        for (State s : states) {
            String chain = local ? "filter-output" : isLocal(s.dst) ? "filter-input" : "filter-forward";
            filtered.addAll(hook(chain, List.of(s)));
        }
        List<State> finals = hook("nat-postrouting", filtered);
        Verdict verdict = Verdict.ACCEPT;
        Set<String> endpoints = new TreeSet<>();
        boolean masquerade = false;
        for (State s : finals) {
            if (s.verdict != null) {
                verdict = s.verdict;
            }
            if (s.dnat != null) {
                endpoints.add(s.dnat);
            }
            masquerade |= s.masquerade;
        }
        if (verdict != Verdict.ACCEPT) {
            endpoints.clear();
        }
        return new TraceResult(verdict, new TreeSet<>(endpoints), masquerade, finals.get(0).chains);
    }

    /** Runs a base chain for every live state; dropped/rejected states pass through untouched. */
    private List<State> hook(String chain, List<State> states) {
        List<State> out = new ArrayList<>();
        for (State s : states) {
            if (s.verdict != null) {
                out.add(s);
                continue;
            }
            List<State> results = new ArrayList<>();
            walk(chain, s.copy(), results);
            for (State r : results) {
                r.stopped = false;
                out.add(r);
            }
        }
        return out;
    }

    /** Evaluates {@code chain}; every state leaving it (return, end, or terminal) goes to {@code out}. */
    private void walk(String chain, State state, List<State> out) {
        state.chains.add(chain);
        List<String> rules = chains.getOrDefault(chain, List.of());
        walkFrom(chain, rules, 0, state, out);
    }

    private void walkFrom(String chain, List<String> rules, int index, State state, List<State> out) {
        for (int i = index; i < rules.size(); i++) {
            String rule = COMMENT.matcher(rules.get(i)).replaceFirst("");
            if (rule.startsWith("ct state new ")) {
                rule = rule.substring("ct state new ".length());
            }
            Outcome o = evaluate(rule, state, chain, rules, i, out);
            if (o == Outcome.LEFT) {
                return;
            }
        }
        out.add(state);
    }

    private enum Outcome { CONTINUE, LEFT }

    private Outcome evaluate(String rule, State s, String chain, List<String> rules, int index, List<State> out) {
        String rest = rule;
        while (!rest.isEmpty()) {
            rest = rest.strip();
            Matcher m;
            if ((m = DEST_DISPATCH.matcher(rest)).find()) {
                String value = lookup(m.group(1), s.dst, s.packet.protocol().lower(), Integer.toString(s.packet.destPort()));
                if (value == null) {
                    return Outcome.CONTINUE;
                }
                rest = value;
            } else if ((m = PORT_DISPATCH.matcher(rest)).find()) {
                String value = lookup(m.group(1), s.packet.protocol().lower(), Integer.toString(s.packet.destPort()));
                if (value == null) {
                    return Outcome.CONTINUE;
                }
                rest = value;
            } else if ((m = ADDR_SET.matcher(rest)).find()) {
                String ip = m.group(1).equals("s") ? s.packet.sourceIP() : s.dst;
                boolean member = lookup(m.group(3), ip) != null;
                if (member == (m.group(2) != null)) {
                    return Outcome.CONTINUE;
                }
                rest = rest.substring(m.end());
            } else if ((m = ADDR_ANON.matcher(rest)).find()) {
                String ip = m.group(1).equals("s") ? s.packet.sourceIP() : s.dst;
                boolean any = false;
                for (String cidr : m.group(3).split(" , ")) {
                    any |= contains(cidr.strip(), ip);
                }
                if (any == (m.group(2) != null)) {
                    return Outcome.CONTINUE;
                }
                rest = rest.substring(m.end());
            } else if ((m = ADDR.matcher(rest)).find()) {
                String ip = m.group(1).equals("s") ? s.packet.sourceIP() : s.dst;
                if (contains(m.group(3), ip) == (m.group(2) != null)) {
                    return Outcome.CONTINUE;
                }
                rest = rest.substring(m.end());
            } else if ((m = FIB.matcher(rest)).find()) {
                boolean isLocal = m.group(1).equals("s")
                        ? s.packet.ingress() == TracedPacket.Ingress.LOCAL || isLocal(s.packet.sourceIP()) : isLocal(s.dst);
                if (!isLocal) {
                    return Outcome.CONTINUE;
                }
                rest = rest.substring(m.end());
            } else if ((m = MARK_CHECK.matcher(rest)).find()) {
                if ((s.mark & Long.decode(m.group(1))) != 0) {
                    return Outcome.CONTINUE;
                }
                rest = rest.substring(m.end());
            } else if ((m = MARK_SET.matcher(rest)).find()) {
                long value = Long.decode(m.group(2));
                s.mark = m.group(1).equals("or") ? s.mark | value : s.mark ^ value;
                return Outcome.CONTINUE;
            } else if ((m = UPDATE.matcher(rest)).find()) {
                rest = rest.substring(m.end());
            } else if (rest.equals("masquerade fully-random")) {
                s.masquerade = true;
                s.stopped = true;
                out.add(s);
                return Outcome.LEFT;
            } else if ((m = DNAT.matcher(rest)).find()) {
                if (!m.group(1).equals(s.packet.protocol().lower())) {
                    return Outcome.CONTINUE;
                }
                s.dnat = m.group(2);
                s.dst = s.dnat.substring(0, s.dnat.lastIndexOf(':'));
                s.stopped = true;
                out.add(s);
                return Outcome.LEFT;
            } else if ((m = NUMGEN.matcher(rest)).find()) {
                for (String entry : m.group(1).split(" , ")) {
                    String target = entry.split(" : ", 2)[1];
                    State branch = s.copy();
                    if (verdict(target, branch, chain, rules, index, out) == Outcome.CONTINUE) {
                        walkFrom(chain, rules, index + 1, branch, out);
                    }
                }
                return Outcome.LEFT;
            } else if (VERDICT.matcher(rest).matches()) {
                return verdict(rest, s, chain, rules, index, out);
            } else {
                throw new IllegalStateException("unknown rule shape in " + chain + ": " + rest);
            }
        }
        return Outcome.CONTINUE;
    }

    /** Applies a verdict; CONTINUE means the current chain goes on with the next rule. */
    private Outcome verdict(String verdict, State s, String chain, List<String> rules, int index, List<State> out) {
        Matcher m = VERDICT.matcher(verdict.strip());
        if (!m.matches()) {
            throw new IllegalStateException("unknown verdict in " + chain + ": " + verdict);
        }
        if (m.group(1) == null) {
            switch (m.group(3)) {
                case "drop" -> s.verdict = Verdict.DROP;
                case "reject" -> s.verdict = Verdict.REJECT;
                default -> {
                }
            }
            s.stopped = !m.group(3).equals("return");
            out.add(s);
            return Outcome.LEFT;
        }
        List<State> returned = new ArrayList<>();
        walk(m.group(2), s, returned);
        for (State r : returned) {
            if (r.stopped || m.group(1).equals("goto")) {
                out.add(r);
            } else {
                walkFrom(chain, rules, index + 1, r, out);
            }
        }
        return Outcome.LEFT;
    }

    private String lookup(String container, String... key) {
        String wanted = String.join(" . ", key);
        for (String[] element : elements.getOrDefault(container, List.of())) {
            if (element[0].equals(wanted)) {
                return element[1];
            }
        }
        return null;
    }

    private boolean isLocal(String ip) {
        IPAddress address = new IPAddressString(ip).getAddress();
        return localAddresses.stream().anyMatch(l -> l.toPrefixBlock().contains(address));
    }

    private static boolean contains(String cidr, String ip) {
        IPAddress block = new IPAddressString(cidr).getAddress();
        IPAddress address = new IPAddressString(ip).getAddress();
        return block != null && address != null && block.toPrefixBlock().contains(address);
    }

    private static final class State {
        final TracedPacket packet;
        String dst;
        String dnat;
        long mark;
        boolean masquerade;
        boolean stopped;
        Verdict verdict;
        List<String> chains = new ArrayList<>();

        State(TracedPacket packet) {
            this.packet = packet;
            this.dst = packet.destIP();
        }

        State copy() {
            State s = new State(packet);
            s.dst = dst;
            s.dnat = dnat;
            s.mark = mark;
            s.masquerade = masquerade;
            s.stopped = stopped;
            s.verdict = verdict;
            s.chains = new ArrayList<>(chains);
            return s;
        }
    }
}
