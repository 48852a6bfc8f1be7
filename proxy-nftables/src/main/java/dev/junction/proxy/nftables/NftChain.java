package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A regular chain of the {@code kube-proxy} table with its rules, in order.
 *
 * @param name  chain name
 * @param rules rule bodies (without {@code add rule ip kube-proxy NAME})
 */
public record NftChain(String name, List<String> rules) {
    public NftChain {
        requireNonNull(name, "name");
        rules = List.copyOf(rules);
    }
}
