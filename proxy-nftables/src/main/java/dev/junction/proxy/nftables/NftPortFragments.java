package dev.junction.proxy.nftables;

import dev.junction.proxy.ServicePortName;

/**
 * What nftables mode derives from one Service port's name, computed once and kept in it
 * ({@link ServicePortName#derived} slot {@link ServicePortName#NFTABLES_FRAGMENTS}), as upstream's
 * {@code servicePortInfo} keeps its chain names (kubernetes pkg/proxy/nftables/proxier.go,
 * {@code newServiceInfo}), so that a full render does not rebuild them for every port.
 *
 * @param clusterChain  {@code service-…}
 * @param localChain    {@code local-…}
 * @param externalChain {@code external-…}
 * @param firewallChain {@code firewall-…}
 * @param displayName   {@code ns/name:port} (element comments)
 * @param gotoCluster   {@code goto service-…} (map element verdict)
 * @param gotoLocal     {@code goto local-…}
 * @param gotoExternal  {@code goto external-…}
 * @param gotoFirewall  {@code goto firewall-…}
 */
record NftPortFragments(String clusterChain, String localChain, String externalChain, String firewallChain,
        String displayName, String gotoCluster, String gotoLocal, String gotoExternal, String gotoFirewall) {

    /** {@code goto CHAIN} for one of this port's four chains, else built. */
    String gotoVerdict(String chain) {
        if (chain.equals(clusterChain)) {
            return gotoCluster;
        } else if (chain.equals(localChain)) {
            return gotoLocal;
        } else if (chain.equals(externalChain)) {
            return gotoExternal;
        } else if (chain.equals(firewallChain)) {
            return gotoFirewall;
        }
        return "goto " + chain;
    }

    /** The fragments of {@code name} (cached in it). */
    static NftPortFragments of(ServicePortName name) {
        return name.derived(ServicePortName.NFTABLES_FRAGMENTS, NftPortFragments.class, NftPortFragments::compute);
    }

    private static NftPortFragments compute(ServicePortName name) {
        String cluster = NftablesChains.serviceChain(name);
        String local = NftablesChains.localChain(name);
        String external = NftablesChains.externalChain(name);
        String firewall = NftablesChains.firewallChain(name);
        return new NftPortFragments(cluster, local, external, firewall, name.toString(),
                "goto " + cluster, "goto " + local, "goto " + external, "goto " + firewall);
    }
}
