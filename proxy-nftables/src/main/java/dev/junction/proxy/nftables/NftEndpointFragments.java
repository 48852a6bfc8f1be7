package dev.junction.proxy.nftables;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.ServicePortName;
import java.util.List;

/**
 * What nftables mode derives from one endpoint of one Service port, computed once and kept in the
 * endpoint ({@link EndpointInfo#derived} slot {@link ServicePortName#NFTABLES_FRAGMENTS}), as
 * upstream's {@code endpointInfo} keeps its {@code chainName} and {@code affinitySetName}
 * (kubernetes pkg/proxy/nftables/proxier.go, {@code newEndpointInfo}): a full render of 10,000
 * Services × 10 endpoints then reuses these strings and chains instead of rebuilding 100,000 of each.
 *
 * @param chain       {@code endpoint-…} chain name
 * @param masquerade  {@code ip saddr IP jump mark-for-masquerade} (hairpin traffic)
 * @param dnat        {@code meta l4proto PROTO dnat to IP:PORT}
 * @param plainChain  the endpoint chain of a Service port without ClientIP affinity
 */
record NftEndpointFragments(String chain, String masquerade, String dnat, NftChain plainChain) {
    private static final String MASQ = "mark-for-masquerade";

    /** The fragments of {@code endpoint} of {@code owner} (cached in the endpoint). */
    static NftEndpointFragments of(ServicePortName owner, EndpointInfo endpoint) {
        return endpoint.derived(ServicePortName.NFTABLES_FRAGMENTS, owner, NftEndpointFragments.class,
                (o, e) -> compute(o, e, o.protocol().lower()));
    }

    /**
     * Computes the fragments without caching them.
     *
     * @param protocol lower-case protocol of the DNAT rule ({@code tcp}, {@code udp}, {@code sctp})
     */
    static NftEndpointFragments compute(ServicePortName owner, EndpointInfo endpoint, String protocol) {
        String chain = NftablesChains.endpointChain(owner, endpoint);
        String masquerade = "ip saddr " + endpoint.ip() + " jump " + MASQ;
        String dnat = "meta l4proto " + protocol + " dnat to " + endpoint.endpoint();
        return new NftEndpointFragments(chain, masquerade, dnat,
                new NftChain(chain, List.of(masquerade, dnat)));
    }

    /**
     * {@code affinity-…}: the ClientIP affinity set name (built on each call: only Services with
     * ClientIP affinity need it, and not keeping it saves ~140 B per endpoint).
     */
    String affinitySet() {
        return "affinity-" + chain.substring("endpoint-".length());
    }

    /** The endpoint chain with an {@code update @affinity-… { ip saddr }} rule between masquerade and DNAT. */
    NftChain affinityChain() {
        return new NftChain(chain, List.of(masquerade, "update @" + affinitySet() + " { ip saddr }", dnat));
    }
}
