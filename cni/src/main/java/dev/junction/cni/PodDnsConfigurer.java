package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Computes a pod's {@code /etc/resolv.conf} from its {@code dnsPolicy} exactly as kubelet's
 * {@code Configurer.GetPodDNS} does (kubernetes {@code pkg/kubelet/network/dns/dns.go}):
 * <ul>
 *   <li>{@code ClusterFirst} (the default; for {@code hostNetwork} pods it acts as {@code Default})
 *   and {@code ClusterFirstWithHostNet}: nameservers = cluster DNS, searches =
 *   {@code <ns>.svc.<domain> svc.<domain> <domain>} followed by the node's searches, options
 *   {@code ndots:5}; when no cluster DNS is configured it falls back to {@code Default};</li>
 *   <li>{@code Default}: the node's resolv.conf (copied verbatim when there is no {@code dnsConfig});</li>
 *   <li>{@code None}: only {@code dnsConfig}.</li>
 * </ul>
 * A pod's {@code dnsConfig} is then appended (nameservers and searches de-duplicated, options merged
 * by name with the pod's value winning), and the limits are applied (3 nameservers, 32 search
 * domains, 2048 characters of search list).
 */
public final class PodDnsConfigurer {
    static final int MAX_NAMESERVERS = 3;
    static final int MAX_SEARCHES = 32;
    static final int MAX_SEARCH_CHARS = 2048;
    private final List<String> clusterDns;
    private final String clusterDomain;
    private final String nodeResolvConf;

    /**
     * @param clusterDns     cluster DNS server addresses (kubelet {@code --cluster-dns}); may be empty
     * @param clusterDomain  e.g. {@code cluster.local}; may be empty
     * @param nodeResolvConf the text of the node's resolv.conf (kubelet {@code --resolv-conf})
     */
    public PodDnsConfigurer(List<String> clusterDns, String clusterDomain, String nodeResolvConf) {
        this.clusterDns = List.copyOf(requireNonNull(clusterDns, "clusterDns"));
        this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
        this.nodeResolvConf = requireNonNull(nodeResolvConf, "nodeResolvConf");
    }

    /**
     * The resolv.conf text for a pod.
     *
     * @param namespace   the pod's namespace
     * @param dnsPolicy   {@code ClusterFirst}, {@code ClusterFirstWithHostNet}, {@code Default},
     *                    {@code None}, or empty (meaning {@code ClusterFirst})
     * @param hostNetwork the pod's {@code spec.hostNetwork}
     * @param dnsConfig   the pod's {@code spec.dnsConfig}, options as {@code name} or {@code name:value}
     * @throws IllegalArgumentException on an unknown policy
     */
    public String resolvConf(String namespace, String dnsPolicy, boolean hostNetwork, Optional<ResolvConf> dnsConfig) {
        requireNonNull(namespace, "namespace");
        requireNonNull(dnsPolicy, "dnsPolicy");
        requireNonNull(dnsConfig, "dnsConfig");
        ResolvConf host = ResolvConf.parse(nodeResolvConf);
        ResolvConf base;
        switch (effectiveType(dnsPolicy, hostNetwork)) {
            case NONE -> base = ResolvConf.EMPTY;
            case CLUSTER -> base = new ResolvConf(clusterDns, clusterSearches(namespace, host.searches()), List.of("ndots:5"));
            default -> {
                if (dnsConfig.isEmpty()) {
                    return nodeResolvConf;
                }
                base = host;
            }
        }
        ResolvConf merged = dnsConfig.map(pod -> append(base, pod)).orElse(base);
        return fitLimits(merged).render();
    }

    private enum Type { NONE, CLUSTER, HOST }

    private Type effectiveType(String dnsPolicy, boolean hostNetwork) {
        Type type = switch (dnsPolicy) {
            case "None" -> Type.NONE;
            case "ClusterFirstWithHostNet" -> Type.CLUSTER;
            case "ClusterFirst", "" -> hostNetwork ? Type.HOST : Type.CLUSTER;
            case "Default" -> Type.HOST;
            default -> throw new IllegalArgumentException("dnsPolicy: " + dnsPolicy
                    + " (expected: ClusterFirst, ClusterFirstWithHostNet, Default or None)");
        };
        return type == Type.CLUSTER && clusterDns.isEmpty() ? Type.HOST : type;
    }

    private List<String> clusterSearches(String namespace, List<String> hostSearches) {
        if (clusterDomain.isEmpty()) {
            return hostSearches;
        }
        List<String> out = new ArrayList<>(List.of(namespace + ".svc." + clusterDomain, "svc." + clusterDomain, clusterDomain));
        out.addAll(hostSearches);
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static ResolvConf append(ResolvConf base, ResolvConf pod) {
        LinkedHashSet<String> servers = new LinkedHashSet<>(base.nameservers());
        servers.addAll(pod.nameservers());
        LinkedHashSet<String> searches = new LinkedHashSet<>(base.searches());
        searches.addAll(pod.searches());
        Map<String, String> options = new LinkedHashMap<>();
        for (String option : base.options()) {
            putOption(options, option);
        }
        for (String option : pod.options()) {
            putOption(options, option);
        }
        List<String> merged = new ArrayList<>();
        options.forEach((name, value) -> merged.add(value.isEmpty() ? name : name + ":" + value));
        return new ResolvConf(List.copyOf(servers), List.copyOf(searches), merged);
    }

    private static void putOption(Map<String, String> options, String option) {
        int colon = option.indexOf(':');
        if (colon < 0) {
            options.put(option, "");
        } else {
            options.put(option.substring(0, colon), option.substring(colon + 1));
        }
    }

    private static ResolvConf fitLimits(ResolvConf conf) {
        List<String> servers = conf.nameservers().size() > MAX_NAMESERVERS
                ? conf.nameservers().subList(0, MAX_NAMESERVERS) : conf.nameservers();
        List<String> searches = new ArrayList<>();
        int chars = 0;
        for (String search : conf.searches()) {
            int added = chars == 0 ? search.length() : search.length() + 1;
            if (searches.size() == MAX_SEARCHES || chars + added > MAX_SEARCH_CHARS) {
                break;
            }
            searches.add(search);
            chars += added;
        }
        return new ResolvConf(servers, searches, conf.options());
    }
}
