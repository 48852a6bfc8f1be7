package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * One proxy mode ({@code KubeProxyConfiguration.mode}), found at run time with
 * {@link ServiceLoader} so that the command that picks a mode ({@code proxy --proxy-mode …}) needs no
 * compile-time dependency on every mode module. Each mode module registers its implementation in
 * {@code META-INF/services/dev.junction.proxy.ProxyMode}; the modes present are those on the
 * class path.
 */
public interface ProxyMode {

    /** The mode's name: {@code iptables}, {@code nftables} or {@code userspace}. */
    String name();

    /**
     * Starts the mode's proxy in this process's network namespace (like upstream's
     * {@code ProxyServer.Run}); returns at once.
     *
     * @param client   API client (not closed by the returned handle)
     * @param config   proxy configuration ({@code mode} is ignored)
     * @param nodeName this node's name
     * @return closes the proxy (rules stay in place, as kube-proxy leaves them)
     */
    AutoCloseable start(KubernetesClient client, ProxyConfig config, String nodeName);

    /**
     * The mode named {@code name} on the class path.
     *
     * @throws IllegalArgumentException when no such mode is present
     */
    static ProxyMode forName(String name) {
        requireNonNull(name, "name");
        List<String> present = new ArrayList<>();
        for (ProxyMode mode : ServiceLoader.load(ProxyMode.class, ProxyMode.class.getClassLoader())) {
            if (mode.name().equals(name)) {
                return mode;
            }
            present.add(mode.name());
        }
        throw new IllegalArgumentException("proxy-mode: " + name + " (expected: one of " + present + ")");
    }
}
