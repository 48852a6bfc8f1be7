package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.AsciiText;
import dev.junction.proxy.ChainHash;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.ServicePortName;

/**
 * The iptables-mode {@code KUBE-SEP-} chain of one endpoint of one Service port, computed once and
 * kept in the {@link EndpointInfo} ({@link ServicePortName#IPTABLES_FRAGMENTS}), as upstream
 * {@code newEndpointInfo} (kubernetes pkg/proxy/iptables/proxier.go, v1.33) keeps
 * {@code ChainName}: {@code "KUBE-SEP-"} + 16 base32 characters of SHA-256 over
 * {@code "ns/name:port" + protocol + "ip:port"}. Immutable.
 *
 * @param name  the chain name
 * @param bytes its ASCII bytes, copied into the restore input
 */
record EndpointChain(String name, byte[] bytes) {

    /** The (cached) chain of {@code endpoint} as an endpoint of {@code port}. */
    static EndpointChain of(ServicePortName port, EndpointInfo endpoint) {
        requireNonNull(port, "port");
        return requireNonNull(endpoint, "endpoint").derived(ServicePortName.IPTABLES_FRAGMENTS, port,
                EndpointChain.class, EndpointChain::compute);
    }

    private static EndpointChain compute(ServicePortName port, EndpointInfo endpoint) {
        String name = "KUBE-SEP-" + ChainHash.base32Sha256(port + port.protocol().lower() + endpoint.endpoint(), 16);
        return new EndpointChain(name, AsciiText.bytes(name));
    }
}
