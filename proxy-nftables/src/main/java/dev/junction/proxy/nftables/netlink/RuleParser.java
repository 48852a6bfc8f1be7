package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses the rule bodies {@code NftablesRenderer} writes for Service and endpoint chains into
 * {@link RuleStatement}s: {@code ip saddr|daddr [!=] ADDR[/LEN]}, {@code meta l4proto tcp|udp|sctp},
 * {@code jump|goto CHAIN}, {@code dnat to IP:PORT} and {@code numgen random mod N vmap { i : goto C , … }}
 * (upstream kubernetes pkg/proxy/nftables/proxier.go v1.33 writes these for endpoint chains and the
 * service chain refill). Anything else (comments, {@code fib}, {@code update @set}, set lookups,
 * {@code drop}) yields empty, so that the caller falls back to {@code nft -f}.
 */
final class RuleParser {
    private RuleParser() {
    }

    /** The statements of {@code body}, or empty when any part is not supported. */
    static Optional<List<RuleStatement>> parse(String body) {
        String[] t = body.trim().split(" +");
        List<RuleStatement> out = new ArrayList<>(4);
        int i = 0;
        boolean terminal = false;
        while (i < t.length) {
            if (terminal) {
                return Optional.empty();
            }
            switch (t[i]) {
                case "ip" -> {
                    if (i + 2 >= t.length || !(t[i + 1].equals("saddr") || t[i + 1].equals("daddr"))) {
                        return Optional.empty();
                    }
                    int offset = t[i + 1].equals("saddr") ? 12 : 16;
                    int v = i + 2;
                    boolean negate = t[v].equals("!=");
                    if (negate) {
                        v++;
                    }
                    if (v >= t.length) {
                        return Optional.empty();
                    }
                    Optional<RuleStatement> match = ipMatch(offset, negate, t[v]);
                    if (match.isEmpty()) {
                        return Optional.empty();
                    }
                    out.add(match.get());
                    i = v + 1;
                }
                case "meta" -> {
                    if (i + 2 >= t.length || !t[i + 1].equals("l4proto")) {
                        return Optional.empty();
                    }
                    int proto = protocol(t[i + 2]);
                    if (proto < 0) {
                        return Optional.empty();
                    }
                    out.add(new RuleStatement.L4Proto(proto));
                    i += 3;
                }
                case "jump", "goto" -> {
                    if (i + 1 >= t.length) {
                        return Optional.empty();
                    }
                    out.add(new RuleStatement.Verdict(t[i].equals("jump") ? NFT_JUMP : NFT_GOTO, t[i + 1]));
                    i += 2;
                    terminal = true;
                }
                case "dnat" -> {
                    // nft requires a preceding l4proto match for a port; the renderer always writes one.
                    if (i + 2 >= t.length || !t[i + 1].equals("to") || out.isEmpty()
                            || !(out.get(out.size() - 1) instanceof RuleStatement.L4Proto)) {
                        return Optional.empty();
                    }
                    Optional<RuleStatement> dnat = dnat(t[i + 2]);
                    if (dnat.isEmpty()) {
                        return Optional.empty();
                    }
                    out.add(dnat.get());
                    i += 3;
                    terminal = true;
                }
                case "numgen" -> {
                    Optional<RuleStatement.NumgenVmap> vmap = numgen(t, i);
                    if (vmap.isEmpty()) {
                        return Optional.empty();
                    }
                    out.add(vmap.get());
                    i = t.length;
                    terminal = true;
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    /** IANA protocol number of {@code tcp}, {@code udp} or {@code sctp}; -1 otherwise. */
    static int protocol(String name) {
        return switch (name) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "sctp" -> 132;
            default -> -1;
        };
    }

    /** The 4 bytes of a dotted-quad IPv4 address, or null when {@code text} is not one. */
    static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int k = 0; k < 4; k++) {
            if (parts[k].isEmpty() || parts[k].length() > 3 || !parts[k].chars().allMatch(Character::isDigit)) {
                return null;
            }
            int v = Integer.parseInt(parts[k]);
            if (v > 255) {
                return null;
            }
            out[k] = (byte) v;
        }
        return out;
    }

    private static Optional<RuleStatement> ipMatch(int offset, boolean negate, String value) {
        int slash = value.indexOf('/');
        byte[] address = ipv4(slash < 0 ? value : value.substring(0, slash));
        if (address == null) {
            return Optional.empty();
        }
        int prefix = 32;
        if (slash >= 0) {
            String len = value.substring(slash + 1);
            if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(len);
            if (prefix < 1 || prefix > 32) {
                return Optional.empty();
            }
        }
        return Optional.of(new RuleStatement.IpMatch(offset, negate, address, prefix));
    }

    private static Optional<RuleStatement> dnat(String target) {
        int colon = target.lastIndexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        byte[] address = ipv4(target.substring(0, colon));
        String port = target.substring(colon + 1);
        if (address == null || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int p = Integer.parseInt(port);
        return p < 1 || p > 65535 ? Optional.empty() : Optional.of(new RuleStatement.Dnat(address, p));
    }

    /** {@code numgen random mod N vmap { 0 : goto A , 1 : goto B }} from token {@code i} to the end. */
    private static Optional<RuleStatement.NumgenVmap> numgen(String[] t, int i) {
        if (i + 6 > t.length || !t[i + 1].equals("random") || !t[i + 2].equals("mod") || !t[i + 4].equals("vmap")
                || !t[i + 5].equals("{") || !t[t.length - 1].equals("}")) {
            return Optional.empty();
        }
        int n;
        try {
            n = Integer.parseInt(t[i + 3]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        List<RuleStatement.VmapTarget> targets = new ArrayList<>(n);
        int k = i + 6;
        for (int entry = 0; entry < n; entry++) {
            if (entry > 0) {
                if (k >= t.length || !t[k].equals(",")) {
                    return Optional.empty();
                }
                k++;
            }
            if (k + 3 >= t.length || !t[k].equals(Integer.toString(entry)) || !t[k + 1].equals(":")
                    || !(t[k + 2].equals("goto") || t[k + 2].equals("jump"))) {
                return Optional.empty();
            }
            targets.add(new RuleStatement.VmapTarget(t[k + 2].equals("goto") ? NFT_GOTO : NFT_JUMP, t[k + 3]));
            k += 4;
        }
        if (n < 1 || k != t.length - 1) {
            return Optional.empty();
        }
        return Optional.of(new RuleStatement.NumgenVmap(List.copyOf(targets)));
    }
}
