package dev.junction.proxy.iptables;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.ServicePortName;
import java.util.List;

/**
 * Chain names exactly as kube-proxy's iptables mode computes them (kubernetes
 * pkg/proxy/iptables/proxier.go {@code portProtoHash}, {@code servicePortPolicyClusterChain},
 * {@code servicePortPolicyLocalChainName}, {@code serviceFirewallChainName},
 * {@code serviceExternalChainName}, {@code servicePortEndpointChainName}): a prefix plus the first
 * 16 characters of the RFC 4648 base32 encoding of SHA-256 over {@code "ns/name:port" + "tcp"}
 * (+ {@code "ip:port"} for endpoint chains). Chain names therefore stay at most 28 characters.
 */
public final class IptablesChains {
    /** nat/filter entry chain. */
    public static final String KUBE_SERVICES = "KUBE-SERVICES";
    /** filter chain for external destinations without endpoints. */
    public static final String KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
    /** nat/filter chain for NodePorts. */
    public static final String KUBE_NODEPORTS = "KUBE-NODEPORTS";
    /** nat chain that masquerades marked packets. */
    public static final String KUBE_POSTROUTING = "KUBE-POSTROUTING";
    /** nat chain that marks packets for masquerade. */
    public static final String KUBE_MARK_MASQ = "KUBE-MARK-MASQ";
    /** filter chain accepting marked and established forwarded traffic. */
    public static final String KUBE_FORWARD = "KUBE-FORWARD";
    /** filter chain for loadBalancerSourceRanges drops. */
    public static final String KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";

    /** Prefixes of the per-service chains kube-proxy owns and garbage-collects. */
    public static final List<String> SERVICE_CHAIN_PREFIXES =
            List.of("KUBE-SVC-", "KUBE-SVL-", "KUBE-SEP-", "KUBE-FW-", "KUBE-EXT-");

    private IptablesChains() {
    }

    /** {@code KUBE-SVC-…}: dispatch to endpoints under Cluster traffic policy. */
    public static String servicePortPolicyClusterChain(ServicePortName name) {
        return ServicePortChains.of(name).clusterChain();
    }

    /** {@code KUBE-SVL-…}: dispatch to local endpoints under Local traffic policy. */
    public static String servicePortPolicyLocalChain(ServicePortName name) {
        return ServicePortChains.of(name).localChain();
    }

    /** {@code KUBE-FW-…}: loadBalancerSourceRanges filter. */
    public static String serviceFirewallChain(ServicePortName name) {
        return ServicePortChains.of(name).firewallChain();
    }

    /** {@code KUBE-EXT-…}: entry for NodePort / external IP / LB traffic. */
    public static String serviceExternalChain(ServicePortName name) {
        return ServicePortChains.of(name).externalChain();
    }

    /**
     * {@code KUBE-SEP-…}: DNAT to one endpoint. Computed once per endpoint of a Service port and kept
     * in the {@link EndpointInfo} (upstream {@code endpointInfo.ChainName}).
     */
    public static String servicePortEndpointChain(ServicePortName name, EndpointInfo endpoint) {
        return EndpointChain.of(name, endpoint).name();
    }

    /** True for chain names with one of {@link #SERVICE_CHAIN_PREFIXES}. */
    public static boolean isServiceChain(String chain) {
        for (String prefix : SERVICE_CHAIN_PREFIXES) {
            if (chain.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The 16-character hash of {@code name.toString() + protocol}, as upstream {@code portProtoHash};
     * computed once per Service port and kept in the {@link ServicePortName} (upstream computes the
     * chain names once in {@code newServiceInfo}).
     */
    public static String portProtoHash(ServicePortName name) {
        return ServicePortChains.of(name).hash();
    }
}
