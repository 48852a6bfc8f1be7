package dev.junction.proxy.userspace;

import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyMode;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The {@code userspace} {@link ProxyMode}: {@link UserspaceProxyServer#start(KubernetesClient, ProxyConfig, String)}. */
public final class UserspaceProxyMode implements ProxyMode {
    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public AutoCloseable start(KubernetesClient client, ProxyConfig config, String nodeName) {
        return UserspaceProxyServer.start(client, config.withMode("userspace"), nodeName);
    }
}
