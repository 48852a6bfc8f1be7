package dev.junction.proxy.iptables;

import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyMode;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The {@code iptables} {@link ProxyMode}: {@link ProxyServer#start(KubernetesClient, ProxyConfig, String)}. */
public final class IptablesProxyMode implements ProxyMode {
    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public AutoCloseable start(KubernetesClient client, ProxyConfig config, String nodeName) {
        return ProxyServer.start(client, config.withMode("iptables"), nodeName);
    }
}
