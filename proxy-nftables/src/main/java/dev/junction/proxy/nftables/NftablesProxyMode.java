package dev.junction.proxy.nftables;

import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyMode;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The {@code nftables} {@link ProxyMode}: {@link NftablesProxyServer#start(KubernetesClient, ProxyConfig, String)}. */
public final class NftablesProxyMode implements ProxyMode {
    @Override
    public String name() {
        return "nftables";
    }

    @Override
    public AutoCloseable start(KubernetesClient client, ProxyConfig config, String nodeName) {
        return NftablesProxyServer.start(client, config.withMode("nftables"), nodeName);
    }
}
