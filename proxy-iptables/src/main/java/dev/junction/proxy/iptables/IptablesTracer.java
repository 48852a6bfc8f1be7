package dev.junction.proxy.iptables;

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

/**
 * Walks a synthetic packet through rendered {@link IptablesRules} the way netfilter would, like the
 * packet-flow helpers of upstream's iptables tests (kubernetes pkg/proxy/iptables/proxier_test.go
 * {@code tracePacket} / {@code runPacketFlowTests}):
 * <ol>
 *   <li>nat {@code OUTPUT} (packet from the node) or {@code PREROUTING} (from outside) →
 *       {@code KUBE-SERVICES}: DNAT, masquerade mark;</li>
 *   <li>filter {@code OUTPUT}, {@code INPUT} (destination is a local address after DNAT) or
 *       {@code FORWARD}, with kube-proxy's jump rules in their installed order: REJECT / DROP /
 *       ACCEPT;</li>
 *   <li>nat {@code POSTROUTING} → {@code KUBE-POSTROUTING}: masquerade.</li>
 * </ol>
 * {@code -m statistic} rules are followed both ways, so every reachable endpoint is reported;
 * {@code -m recent --rcheck} never matches (a first connection); {@code --ctstate NEW} matches,
 * other states do not. Supported matches are exactly those {@link IptablesRenderer} writes.
 */
public final class IptablesTracer {
    private final Map<String, List<List<String>>> nat = new HashMap<>();
    private final Map<String, List<List<String>>> filter = new HashMap<>();
    private final List<IPAddress> localAddresses = new ArrayList<>();

    /**
     * @param rules          the rendered rules (with the built-in chains' jump rules implied)
     * @param localAddresses the node's own addresses ({@code -m addrtype --dst-type LOCAL});
     *                       127.0.0.0/8 is always local
     */
    public IptablesTracer(IptablesRules rules, List<String> localAddresses) {
        requireNonNull(rules, "rules");
        for (String line : rules.natRules()) {
            add(nat, line);
        }
        for (String line : rules.filterRules()) {
            add(filter, line);
        }
        for (IptablesJumpRule jump : IptablesJumpRule.ALL) {
            // Each jump is inserted at the top (-I), so the last one inserted runs first.
            Map<String, List<List<String>>> table = jump.table().equals("nat") ? nat : filter;
            List<String> tokens = new ArrayList<>(jump.extraArgs());
            tokens.addAll(List.of("-j", jump.toChain()));
            table.computeIfAbsent(jump.fromChain(), c -> new ArrayList<>()).add(0, tokens);
        }
        this.localAddresses.add(new IPAddressString("127.0.0.0/8").getAddress());
        for (String address : localAddresses) {
            this.localAddresses.add(new IPAddressString(address).getAddress());
        }
    }

    /** Traces one packet. */
    public TraceResult trace(TracedPacket packet) {
        requireNonNull(packet, "packet");
        List<State> finals = new ArrayList<>();
        State start = new State(packet);
        boolean local = packet.ingress() == TracedPacket.Ingress.LOCAL;
        for (State afterNat : run(nat, local ? "OUTPUT" : "PREROUTING", start)) {
            String hook = local ? "OUTPUT" : isLocal(afterNat.dst) ? "INPUT" : "FORWARD";
            for (State afterFilter : run(filter, hook, afterNat)) {
                if (afterFilter.verdict != null) {
                    finals.add(afterFilter);
                    continue;
                }
                for (State out : run(nat, "POSTROUTING", afterFilter)) {
                    finals.add(out);
                }
            }
        }
        Verdict verdict = Verdict.ACCEPT;
        Set<String> endpoints = new TreeSet<>();
        boolean masquerade = false;
        for (State s : finals) {
            if (s.verdict == Verdict.REJECT || s.verdict == Verdict.DROP) {
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

    /** Runs a built-in chain; returns the states leaving it (one per random branch). */
    private List<State> run(Map<String, List<List<String>>> table, String chain, State state) {
        List<State> out = new ArrayList<>();
        walk(table, chain, state.copy(), 0, out);
        for (State s : out) {
            s.stopped = false;
        }
        return out;
    }

    /**
     * Evaluates {@code chain} from rule {@code index}; states that leave it (by falling off the
     * end, RETURN, or a terminal target) are appended to {@code out} with {@code stopped} set when
     * evaluation of the whole hook must end.
     */
    private void walk(Map<String, List<List<String>>> table, String chain, State state, int index, List<State> out) {
        if (index == 0) {
            state.chains.add(chain);
        }
        List<List<String>> rules = table.getOrDefault(chain, List.of());
        for (int i = index; i < rules.size(); i++) {
            List<String> rule = rules.get(i);
            Match match = matches(rule, state);
            if (match == Match.NO) {
                continue;
            }
            if (match == Match.RANDOM) {
                // Branch: this rule does not match on one side.
                State other = state.copy();
                walk(table, chain, other, i + 1, out);
            }
            String target = target(rule);
            if (target == null) {
                continue;
            }
            switch (target) {
                case "RETURN" -> {
                    out.add(state);
                    return;
                }
                case "ACCEPT" -> {
                    state.stopped = true;
                    out.add(state);
                    return;
                }
                case "DROP", "REJECT" -> {
                    state.verdict = Verdict.valueOf(target);
                    state.stopped = true;
                    out.add(state);
                    return;
                }
                case "DNAT" -> {
                    String to = value(rule, "--to-destination");
                    state.dnat = to;
                    state.dst = to.substring(0, to.lastIndexOf(':'));
                    state.stopped = true;
                    out.add(state);
                    return;
                }
                case "MARK" -> {
                    String or = value(rule, "--or-mark");
                    String xor = value(rule, "--xor-mark");
                    if (or != null) {
                        state.mark |= Long.decode(or);
                    } else if (xor != null) {
                        state.mark ^= Long.decode(xor);
                    }
                }
                case "MASQUERADE" -> {
                    state.masquerade = true;
                    state.stopped = true;
                    out.add(state);
                    return;
                }
                default -> {
                    List<State> returned = new ArrayList<>();
                    walk(table, target, state, 0, returned);
                    for (State r : returned) {
                        if (r.stopped) {
                            out.add(r);
                        } else {
                            walk(table, chain, r, i + 1, out);
                        }
                    }
                    return;
                }
            }
        }
        out.add(state);
    }

    private enum Match { YES, NO, RANDOM }

    private Match matches(List<String> rule, State s) {
        Match result = Match.YES;
        for (int i = 0; i < rule.size(); i++) {
            String token = rule.get(i);
            boolean negate = token.equals("!");
            if (negate) {
                token = rule.get(++i);
            }
            boolean ok;
            switch (token) {
                case "-p" -> ok = rule.get(++i).equals(s.packet.protocol().lower());
                case "-d" -> ok = contains(rule.get(++i), s.dst);
                case "-s" -> ok = contains(rule.get(++i), s.packet.sourceIP());
                case "--dport" -> ok = Integer.parseInt(rule.get(++i)) == s.packet.destPort();
                case "--dst-type" -> ok = rule.get(++i).equals("LOCAL") == isLocal(s.dst);
                case "--src-type" -> ok = rule.get(++i).equals("LOCAL") == (s.packet.ingress() == TracedPacket.Ingress.LOCAL
                        || isLocal(s.packet.sourceIP()));
                case "--ctstate" -> ok = List.of(rule.get(++i).split(",")).contains("NEW");
                case "--mark" -> {
                    String[] parts = rule.get(++i).split("/");
                    long mask = Long.decode(parts[1]);
                    ok = (s.mark & mask) == Long.decode(parts[0]);
                }
                case "--rcheck" -> ok = false;
                case "--probability" -> {
                    i++;
                    ok = true;
                    result = Match.RANDOM;
                }
                case "--comment", "--name", "--seconds", "--mode", "-m" -> {
                    i++;
                    ok = true;
                }
                case "-j" -> {
                    return result;
                }
                default -> ok = true;
            }
            if (ok == negate) {
                return Match.NO;
            }
        }
        return result;
    }

    private static String target(List<String> rule) {
        int j = rule.indexOf("-j");
        return j < 0 ? null : rule.get(j + 1);
    }

    private static String value(List<String> rule, String flag) {
        int j = rule.indexOf(flag);
        return j < 0 ? null : rule.get(j + 1);
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

    private static void add(Map<String, List<List<String>>> table, String line) {
        List<String> tokens = tokenize(line);
        if (tokens.size() < 2 || !tokens.get(0).equals("-A")) {
            return;
        }
        table.computeIfAbsent(tokens.get(1), c -> new ArrayList<>()).add(tokens.subList(2, tokens.size()));
    }

    /** Splits a rule line on spaces, keeping double-quoted strings whole (without the quotes). */
    static List<String> tokenize(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    out.add(current.toString());
                    current.setLength(0);
                    any = false;
                }
            } else {
                current.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(current.toString());
        }
        return out;
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
