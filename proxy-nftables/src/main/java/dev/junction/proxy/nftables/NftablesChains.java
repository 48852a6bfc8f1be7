package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.ChainHash;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.ServicePortName;

/**
 * Object names of kube-proxy's nftables mode (kubernetes pkg/proxy/nftables/proxier.go,
 * {@code servicePortChainNameBase}, {@code servicePortEndpointChainNameBase},
 * {@code hashAndTruncate}): a prefix ({@code service-}, {@code local-}, {@code external-},
 * {@code firewall-}, {@code endpoint-}, {@code affinity-}) plus a base
 * {@code HASH-namespace/name/protocol/port} (endpoints: {@code …__ip/port}), where HASH is the
 * first 8 characters of the RFC 4648 base32 SHA-256 of the rest, truncated to 112 characters with
 * a trailing {@code ...}. Every per-service name contains a {@code /}; no base name does.
 */
public final class NftablesChains {
    /** The table, in family {@code ip}. */
    public static final String TABLE = "kube-proxy";
    /** nftables' limit on a chain name minus the longest prefix. */
    static final int BASE_LENGTH_MAX = 128 - 16;

    private NftablesChains() {
    }

    /** {@code service-…}: Cluster-policy endpoints. */
    public static String serviceChain(ServicePortName name) {
        return "service-" + serviceBase(name);
    }

    /** {@code local-…}: Local-policy endpoints. */
    public static String localChain(ServicePortName name) {
        return "local-" + serviceBase(name);
    }

    /** {@code external-…}: NodePort, external IP and load-balancer traffic. */
    public static String externalChain(ServicePortName name) {
        return "external-" + serviceBase(name);
    }

    /** {@code firewall-…}: loadBalancerSourceRanges. */
    public static String firewallChain(ServicePortName name) {
        return "firewall-" + serviceBase(name);
    }

    /**
     * {@code endpoint-…}: DNAT to one endpoint; computed once per endpoint of a Service port and kept
     * in the {@link EndpointInfo} (upstream {@code newEndpointInfo} computes {@code chainName} once).
     */
    public static String endpointChain(ServicePortName name, EndpointInfo endpoint) {
        requireNonNull(name, "name");
        requireNonNull(endpoint, "endpoint");
        return endpoint.derivedName(ServicePortName.NFTABLES_NAMES, name, (n, e) -> "endpoint-" + hashAndTruncate(
                n.namespace() + "/" + n.name() + "/" + n.protocol().lower() + "/" + n.port()
                + "__" + e.ip().replace(':', '.') + "/" + e.port()));
    }

    /** {@code affinity-…}: the ClientIP affinity set of one endpoint. */
    public static String affinitySet(ServicePortName name, EndpointInfo endpoint) {
        return "affinity-" + endpointBase(name, endpoint);
    }

    /** True for per-service chain and set names (they contain a slash). */
    public static boolean isServiceObject(String name) {
        return name.contains("/");
    }

    /**
     * {@code HASH-ns/name/proto/port}; computed once per Service port and kept in the
     * {@link ServicePortName} (upstream computes it once in {@code newServiceInfo}).
     */
    public static String serviceBase(ServicePortName name) {
        requireNonNull(name, "name");
        return name.derivedName(ServicePortName.NFTABLES_NAMES, n -> hashAndTruncate(
                n.namespace() + "/" + n.name() + "/" + n.protocol().lower() + "/" + n.port()));
    }

    /** {@code HASH-ns/name/proto/port__ip/port}: {@link #endpointChain} without its prefix. */
    public static String endpointBase(ServicePortName name, EndpointInfo endpoint) {
        return endpointChain(name, endpoint).substring("endpoint-".length());
    }

    static String hashAndTruncate(String name) {
        StringBuilder out = new StringBuilder(9 + name.length()).append(ChainHash.base32Sha256(name, 8));
        out.append('-').append(name);
        if (out.length() > BASE_LENGTH_MAX) {
            out.setLength(BASE_LENGTH_MAX - 3);
            out.append("...");
        }
        return out.toString();
    }
}
