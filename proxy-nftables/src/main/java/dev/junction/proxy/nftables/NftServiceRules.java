package dev.junction.proxy.nftables;

import java.util.List;

/**
 * Everything one Service port contributes to the {@code kube-proxy} table: affinity sets, chains and
 * the elements it adds to the shared sets and maps ({@code cluster-ips}, {@code service-ips},
 * {@code service-nodeports}, {@code firewall-ips}, {@code no-endpoint-*}).
 *
 * @param affinitySets full {@code add set …} lines of the affinity sets, in order
 * @param chains       the port's chains
 * @param elements     the port's elements in the shared containers
 */
public record NftServiceRules(List<String> affinitySets, List<NftChain> chains, List<NftElement> elements) {
    public NftServiceRules {
        affinitySets = List.copyOf(affinitySets);
        chains = List.copyOf(chains);
        elements = List.copyOf(elements);
    }
}
