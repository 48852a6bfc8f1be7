package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * Renders a pod's {@code /etc/hosts} as kubelet does ({@code managedHostsFileContent} in kubernetes
 * {@code pkg/kubelet/kubelet_pods.go}): a header, the localhost lines, then
 * {@code <podIP>\t<hostname>.<subdomain>.<ns>.svc.<domain>\t<hostname>} (or
 * {@code <podIP>\t<hostname>} without subdomain), then the {@code hostAliases}, one line per IP.
 * Host-network pods get the node's hosts file under a different header plus the aliases.
 */
public final class PodHosts {
    private PodHosts() {
    }

    /**
     * One {@code spec.hostAliases} entry.
     *
     * @param ip        an IP address
     * @param hostnames names for it, in order
     */
    public record HostAlias(String ip, List<String> hostnames) {
        public HostAlias {
            requireNonNull(ip, "ip");
            hostnames = List.copyOf(hostnames);
        }
    }

    /**
     * The hosts file of a pod with its own network namespace.
     *
     * @param podIp         the pod's IP
     * @param hostname      the pod's hostname (see {@link #hostname})
     * @param subdomain     {@code spec.subdomain}, if set (non-empty)
     * @param namespace     the pod's namespace
     * @param clusterDomain e.g. {@code cluster.local}
     * @param aliases       {@code spec.hostAliases}
     */
    public static String render(String podIp, String hostname, Optional<String> subdomain, String namespace,
            String clusterDomain, List<HostAlias> aliases) {
        requireNonNull(podIp, "podIp");
        requireNonNull(hostname, "hostname");
        requireNonNull(subdomain, "subdomain");
        requireNonNull(namespace, "namespace");
        requireNonNull(clusterDomain, "clusterDomain");
        StringBuilder out = new StringBuilder("# Kubernetes-managed hosts file.\n")
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("fe00::0\tip6-mcastprefix\n")
                .append("fe00::1\tip6-allnodes\n")
                .append("fe00::2\tip6-allrouters\n");
        Optional<String> sub = subdomain.filter(s -> !s.isEmpty());
        if (sub.isPresent()) {
            out.append(podIp).append('\t').append(hostname).append('.').append(sub.get()).append('.')
                    .append(namespace).append(".svc.").append(clusterDomain).append('\t').append(hostname).append('\n');
        } else {
            out.append(podIp).append('\t').append(hostname).append('\n');
        }
        appendAliases(out, aliases);
        return out.toString();
    }

    /** The hosts file of a {@code hostNetwork} pod: the node's hosts file plus aliases. */
    public static String renderHostNetwork(String nodeHosts, List<HostAlias> aliases) {
        requireNonNull(nodeHosts, "nodeHosts");
        StringBuilder out = new StringBuilder("# Kubernetes-managed hosts file (host network).\n").append(nodeHosts);
        appendAliases(out, aliases);
        return out.toString();
    }

    /**
     * The pod's hostname as kubelet computes it: {@code spec.hostname} if set, else the pod name,
     * truncated to 63 characters with trailing {@code -} and {@code .} removed.
     */
    public static String hostname(String podName, Optional<String> specHostname) {
        requireNonNull(podName, "podName");
        requireNonNull(specHostname, "specHostname");
        String name = specHostname.filter(h -> !h.isEmpty()).orElse(podName);
        if (name.length() <= 63) {
            return name;
        }
        String truncated = name.substring(0, 63);
        while (!truncated.isEmpty() && (truncated.endsWith("-") || truncated.endsWith("."))) {
            truncated = truncated.substring(0, truncated.length() - 1);
        }
        return truncated;
    }

    private static void appendAliases(StringBuilder out, List<HostAlias> aliases) {
        requireNonNull(aliases, "aliases");
        if (aliases.isEmpty()) {
            return;
        }
        out.append("\n# Entries added by HostAliases.\n");
        for (HostAlias alias : aliases) {
            out.append(alias.ip()).append('\t').append(String.join("\t", alias.hostnames())).append('\n');
        }
    }
}
