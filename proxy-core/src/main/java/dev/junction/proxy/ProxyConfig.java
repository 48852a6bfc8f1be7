package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The proxy's configuration, with the field names of upstream {@code KubeProxyConfiguration}
 * (kubernetes pkg/proxy/apis/config/types.go, {@code kubeproxy.config.k8s.io/v1alpha1}).
 *
 * @param mode               proxy mode: {@code iptables}, {@code nftables} or {@code userspace}
 * @param clusterCIDR        pod CIDR of the cluster; traffic to a ClusterIP from outside it is
 *                           masqueraded ({@code ! -s CIDR -j KUBE-MARK-MASQ}); empty: no such rule
 * @param nodePortAddresses  CIDRs whose local addresses accept NodePorts; empty: all local addresses
 *                           (only the empty list is implemented so far)
 * @param masqueradeAll      masquerade all ClusterIP traffic
 * @param masqueradeBit      bit of the fwmark that flags packets for SNAT (0..31, default 14 → 0x4000)
 * @param metricsBindAddress {@code host:port} of the /metrics and /healthz server (default
 *                           {@code 127.0.0.1:10249}); port 0 picks a free port
 * @param iptables           sync periods (used by every mode) and the iptables backend
 * @param userspace          userspace-mode settings
 */
public record ProxyConfig(String mode, Optional<String> clusterCIDR, List<String> nodePortAddresses,
        boolean masqueradeAll, int masqueradeBit, String metricsBindAddress, Iptables iptables, Userspace userspace) {

    /** The modes Junction implements, as {@code KubeProxyConfiguration.mode} spells them. */
    public static final List<String> MODES = List.of("iptables", "nftables", "userspace");

    /** Default {@code masqueradeBit}. */
    public static final int DEFAULT_MASQUERADE_BIT = 14;

    /**
     * {@code KubeProxyConfiguration.iptables}.
     *
     * @param minSyncPeriod minimum time between syncs once the burst of 2 is spent (default 1 s; zero: no limit)
     * @param syncPeriod    maximum time between syncs (default 30 s)
     * @param backend       which iptables binaries: {@code default} ({@code iptables-restore}),
     *                      {@code nft} or {@code legacy} (a Junction extension)
     */
    public record Iptables(Duration minSyncPeriod, Duration syncPeriod, String backend) {
        public Iptables {
            requireNonNull(minSyncPeriod, "minSyncPeriod");
            requireNonNull(syncPeriod, "syncPeriod");
            requireNonNull(backend, "backend");
            if (minSyncPeriod.isNegative()) {
                throw new IllegalArgumentException("iptables.minSyncPeriod: " + minSyncPeriod + " (expected: >= 0)");
            }
            if (syncPeriod.isNegative() || syncPeriod.isZero()) {
                throw new IllegalArgumentException("iptables.syncPeriod: " + syncPeriod + " (expected: > 0)");
            }
            if (!List.of("default", "nft", "legacy").contains(backend)) {
                throw new IllegalArgumentException("iptables.backend: " + backend + " (expected: default, nft or legacy)");
            }
        }
    }

    /**
     * Userspace-mode settings (kube-proxy ≤ v1.25 flags; the scheduler names are IPVS's).
     *
     * @param scheduler      {@code rr} (default), {@code lc}, {@code dh}, {@code sh}, {@code sed} or {@code nq}
     * @param udpIdleTimeout upstream {@code --udp-timeout}: idle time after which a UDP session closes (default 250 ms)
     */
    public record Userspace(String scheduler, Duration udpIdleTimeout) {
        /** Upstream defaults: round robin, 250 ms. */
        public static final Userspace DEFAULTS = new Userspace("rr", Duration.ofMillis(250));

        public Userspace {
            requireNonNull(scheduler, "scheduler");
            requireNonNull(udpIdleTimeout, "udpIdleTimeout");
            if (!List.of("rr", "lc", "dh", "sh", "sed", "nq").contains(scheduler)) {
                throw new IllegalArgumentException("scheduler: " + scheduler + " (expected: rr, lc, dh, sh, sed or nq)");
            }
            if (udpIdleTimeout.isNegative() || udpIdleTimeout.isZero()) {
                throw new IllegalArgumentException("udpIdleTimeout: " + udpIdleTimeout + " (expected: > 0)");
            }
        }
    }

    /** The configuration with default userspace settings (the shape before userspace settings existed). */
    public ProxyConfig(String mode, Optional<String> clusterCIDR, List<String> nodePortAddresses, boolean masqueradeAll,
            int masqueradeBit, String metricsBindAddress, Iptables iptables) {
        this(mode, clusterCIDR, nodePortAddresses, masqueradeAll, masqueradeBit, metricsBindAddress, iptables, Userspace.DEFAULTS);
    }

    public ProxyConfig {
        requireNonNull(mode, "mode");
        requireNonNull(userspace, "userspace");
        requireNonNull(clusterCIDR, "clusterCIDR");
        requireNonNull(metricsBindAddress, "metricsBindAddress");
        requireNonNull(iptables, "iptables");
        nodePortAddresses = List.copyOf(nodePortAddresses);
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("mode: " + mode + " (expected: iptables, nftables or userspace)");
        }
        clusterCIDR = clusterCIDR.filter(c -> !c.isEmpty()).map(ProxyConfig::checkCidr);
        nodePortAddresses.forEach(ProxyConfig::checkCidr);
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masqueradeBit: " + masqueradeBit + " (expected: 0..31)");
        }
    }

    /** Upstream defaults, with clusterCIDR {@code 10.244.0.0/16} (the lab's pod CIDR). */
    public static ProxyConfig defaults() {
        return new ProxyConfig("iptables", Optional.of("10.244.0.0/16"), List.of(), false, DEFAULT_MASQUERADE_BIT,
                "127.0.0.1:10249", new Iptables(Duration.ofSeconds(1), Duration.ofSeconds(30), "default"));
    }

    /** This config with another clusterCIDR (empty: none). */
    public ProxyConfig withClusterCIDR(Optional<String> cidr) {
        return new ProxyConfig(mode, cidr, nodePortAddresses, masqueradeAll, masqueradeBit, metricsBindAddress, iptables, userspace);
    }

    /** This config with another mode. @throws IllegalArgumentException for an unknown mode */
    public ProxyConfig withMode(String mode) {
        return new ProxyConfig(mode, clusterCIDR, nodePortAddresses, masqueradeAll, masqueradeBit, metricsBindAddress, iptables, userspace);
    }

    /** This config with other nodePortAddresses. */
    public ProxyConfig withNodePortAddresses(List<String> cidrs) {
        return new ProxyConfig(mode, clusterCIDR, cidrs, masqueradeAll, masqueradeBit, metricsBindAddress, iptables, userspace);
    }

    /** This config with other userspace settings. */
    public ProxyConfig withUserspace(Userspace settings) {
        return new ProxyConfig(mode, clusterCIDR, nodePortAddresses, masqueradeAll, masqueradeBit, metricsBindAddress, iptables, settings);
    }

    /** This config with masqueradeAll set. */
    public ProxyConfig withMasqueradeAll(boolean all) {
        return new ProxyConfig(mode, clusterCIDR, nodePortAddresses, all, masqueradeBit, metricsBindAddress, iptables, userspace);
    }

    /** This config with another metrics address. */
    public ProxyConfig withMetricsBindAddress(String address) {
        return new ProxyConfig(mode, clusterCIDR, nodePortAddresses, masqueradeAll, masqueradeBit, address, iptables, userspace);
    }

    /** This config with other iptables settings. */
    public ProxyConfig withIptables(Iptables settings) {
        return new ProxyConfig(mode, clusterCIDR, nodePortAddresses, masqueradeAll, masqueradeBit, metricsBindAddress, settings, userspace);
    }

    /** The masquerade mark as kube-proxy prints it, e.g. {@code 0x4000} for bit 14. */
    public String masqueradeMark() {
        return "0x" + Integer.toHexString(1 << masqueradeBit);
    }

    private static String checkCidr(String cidr) {
        IPAddress address = new IPAddressString(cidr).getAddress();
        if (address == null || !address.isIPv4() || !cidr.contains("/")) {
            throw new IllegalArgumentException("CIDR: " + cidr + " (expected: IPv4 prefix such as 10.244.0.0/16)");
        }
        return address.toPrefixBlock().toCanonicalString();
    }
}
