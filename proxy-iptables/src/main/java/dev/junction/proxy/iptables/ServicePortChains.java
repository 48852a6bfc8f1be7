package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.AsciiText;
import dev.junction.proxy.ChainHash;
import dev.junction.proxy.ServicePortName;

/**
 * The iptables-mode names of one Service port, computed once per {@link ServicePortName} and kept
 * in it ({@link ServicePortName#IPTABLES_FRAGMENTS}), as upstream {@code newServiceInfo}
 * (kubernetes pkg/proxy/iptables/proxier.go, v1.33) computes {@code nameString} and every chain
 * name once when the Service changes: the {@code portProtoHash}, the {@code KUBE-SVC/SVL/EXT/FW-}
 * chains, and the ASCII bytes the renderer copies into the restore input. Immutable.
 *
 * @param name          {@code ns/name:port}
 * @param hash          upstream {@code portProtoHash}: 16 base32 characters of SHA-256 over name + protocol
 * @param clusterChain  {@code KUBE-SVC-<hash>}
 * @param localChain    {@code KUBE-SVL-<hash>}
 * @param externalChain {@code KUBE-EXT-<hash>}
 * @param firewallChain {@code KUBE-FW-<hash>}
 * @param nameBytes     bytes of {@code name}
 * @param clusterBytes  bytes of {@code clusterChain}
 * @param localBytes    bytes of {@code localChain}
 * @param protoMatch    bytes of {@code " -m tcp -p tcp"} (the port's protocol, lower case)
 */
record ServicePortChains(String name, String hash, String clusterChain, String localChain, String externalChain,
        String firewallChain, byte[] nameBytes, byte[] clusterBytes, byte[] localBytes, byte[] protoMatch) {

    /** The (cached) names of {@code port}. */
    static ServicePortChains of(ServicePortName port) {
        return requireNonNull(port, "port").derived(ServicePortName.IPTABLES_FRAGMENTS, ServicePortChains.class,
                ServicePortChains::compute);
    }

    private static ServicePortChains compute(ServicePortName port) {
        String name = port.toString();
        String proto = port.protocol().lower();
        String hash = ChainHash.base32Sha256(name + proto, 16);
        String cluster = "KUBE-SVC-" + hash;
        String local = "KUBE-SVL-" + hash;
        return new ServicePortChains(name, hash, cluster, local, "KUBE-EXT-" + hash, "KUBE-FW-" + hash,
                AsciiText.bytes(name), AsciiText.bytes(cluster), AsciiText.bytes(local),
                AsciiText.bytes(" -m " + proto + " -p " + proto));
    }
}
