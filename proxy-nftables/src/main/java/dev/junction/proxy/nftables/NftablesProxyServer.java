package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyController;
import dev.junction.proxy.ProxyMetrics;
import dev.junction.proxy.ProxyRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/**
 * A running nftables-mode proxy (upstream cmd/kube-proxy's {@code ProxyServer} with
 * {@code --proxy-mode=nftables}): a {@link ProxyRuntime} driving an {@link NftablesProxier}.
 */
public final class NftablesProxyServer implements AutoCloseable {
    /** The lab's Service CIDR, used when none is given. */
    public static final List<String> DEFAULT_SERVICE_CIDRS = List.of("10.96.0.0/12");

    private final ProxyRuntime runtime;
    private final NftablesProxier proxier;

    private NftablesProxyServer(ProxyRuntime runtime, NftablesProxier proxier) {
        this.runtime = runtime;
        this.proxier = proxier;
    }

    /**
     * Starts the proxy in this process's network namespace with the real {@code nft}; returns at
     * once. Service CIDRs are {@link #DEFAULT_SERVICE_CIDRS}.
     *
     * @throws IllegalStateException when the metrics address cannot be bound
     */
    public static NftablesProxyServer start(KubernetesClient client, ProxyConfig config, String nodeName) {
        return start(client, config, nodeName, DEFAULT_SERVICE_CIDRS, CommandRunner.system(), List.of());
    }

    /** Like {@link #start(KubernetesClient, ProxyConfig, String)} with Service CIDRs, runner and argv prefix injected. */
    public static NftablesProxyServer start(KubernetesClient client, ProxyConfig config, String nodeName,
            List<String> serviceCIDRs, CommandRunner runner, List<String> argvPrefix) {
        requireNonNull(client, "client");
        requireNonNull(config, "config");
        NftablesProxier proxier = new NftablesProxier(runner, argvPrefix, config, serviceCIDRs);
        return new NftablesProxyServer(ProxyRuntime.start(client, config, nodeName, proxier), proxier);
    }

    /** The bound metrics port, when the metrics server runs. */
    public Optional<Integer> metricsPort() {
        return runtime.metricsPort();
    }

    /** The sync metrics. */
    public ProxyMetrics metrics() {
        return runtime.metrics();
    }

    /** The controller. */
    public ProxyController controller() {
        return runtime.controller();
    }

    /** The proxier. */
    public NftablesProxier proxier() {
        return proxier;
    }

    /** Stops watching and syncing; the table stays in place, as kube-proxy leaves it. */
    @Override
    public void close() {
        runtime.close();
    }
}
