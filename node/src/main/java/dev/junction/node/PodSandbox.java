package dev.junction.node;

import static java.util.Objects.requireNonNull;

import dev.junction.cni.HostLocalIpam;
import dev.junction.cni.PodDnsConfigurer;
import dev.junction.cni.PodHosts;
import dev.junction.cni.PodNetnsFiles;
import dev.junction.cni.PodNetworkSetup;
import dev.junction.cni.ResolvConf;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import java.util.List;
import java.util.Optional;

/**
 * A pod's sandbox, the role of CRI {@code RunPodSandbox}/{@code StopPodSandbox} plus the CNI
 * {@code ADD}/{@code DEL} calls kubelet makes: IP from host-local IPAM, netns + veth on
 * {@code cni0}, {@code /etc/netns/<podns>/resolv.conf} and {@code hosts}.
 */
final class PodSandbox {
    private final HostLocalIpam ipam;
    private final PodNetworkSetup network;
    private final PodNetnsFiles files;
    private final PodDnsConfigurer dns;
    private final String clusterDomain;

    PodSandbox(HostLocalIpam ipam, PodNetworkSetup network, PodNetnsFiles files, PodDnsConfigurer dns, String clusterDomain) {
        this.ipam = requireNonNull(ipam, "ipam");
        this.network = requireNonNull(network, "network");
        this.files = requireNonNull(files, "files");
        this.dns = requireNonNull(dns, "dns");
        this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
    }

    /** Allocates the IP, wires the network and writes the files; idempotent. @return the pod IP */
    String setUp(Pod pod, String netns, String key, String hostname) {
        String ip = ipam.allocate(key);
        try {
            network.setUp(netns, ip, ipam.cidr());
            files.write(netns, resolvConf(pod), hosts(pod, ip, hostname));
            return ip;
        } catch (RuntimeException e) {
            tearDown(netns, key);
            throw e;
        }
    }

    /** Removes network, files and the IP; idempotent. */
    void tearDown(String netns, String key) {
        if (!netns.isEmpty()) {
            network.tearDown(netns);
            files.remove(netns);
        }
        ipam.release(key);
    }

    boolean netnsExists(String netns) {
        return network.netnsExists(netns);
    }

    HostLocalIpam ipam() {
        return ipam;
    }

    /**
     * The pod's resolv.conf text per its dnsPolicy (kubelet {@code pkg/kubelet/network/dns/dns.go});
     * for {@code hostNetwork} pods {@link PodWorker} bind-mounts it over {@code /etc/resolv.conf}.
     */
    String resolvConf(Pod pod) {
        var spec = pod.getSpec();
        Optional<ResolvConf> config = Optional.ofNullable(spec.getDnsConfig()).map(PodSandbox::toResolvConf);
        return dns.resolvConf(pod.getMetadata().getNamespace(), Optional.ofNullable(spec.getDnsPolicy()).orElse(""),
                Boolean.TRUE.equals(spec.getHostNetwork()), config);
    }

    private String hosts(Pod pod, String ip, String hostname) {
        var spec = pod.getSpec();
        List<PodHosts.HostAlias> aliases = spec.getHostAliases() == null ? List.of() : spec.getHostAliases().stream()
                .map(a -> new PodHosts.HostAlias(a.getIp(), a.getHostnames() == null ? List.of() : a.getHostnames()))
                .toList();
        return PodHosts.render(ip, hostname, Optional.ofNullable(spec.getSubdomain()), pod.getMetadata().getNamespace(),
                clusterDomain, aliases);
    }

    static ResolvConf toResolvConf(PodDNSConfig c) {
        List<String> options = c.getOptions() == null ? List.of() : c.getOptions().stream()
                .map((PodDNSConfigOption o) -> o.getValue() == null ? o.getName() : o.getName() + ":" + o.getValue())
                .toList();
        return new ResolvConf(c.getNameservers() == null ? List.of() : c.getNameservers(),
                c.getSearches() == null ? List.of() : c.getSearches(), options);
    }
}
