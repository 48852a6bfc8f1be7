package dev.junction.proxy.iptables;

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
 * A running iptables-mode proxy (upstream cmd/kube-proxy's {@code ProxyServer}): a
 * {@link ProxyRuntime} (controller, metrics/healthz server, health-check node ports) driving an
 * {@link IptablesProxier}. The node-agent JVM embeds it through {@link #start}.
 */
public final class ProxyServer implements AutoCloseable {
    private final ProxyRuntime runtime;
    private final IptablesProxier proxier;

    private ProxyServer(ProxyRuntime runtime, IptablesProxier proxier) {
        this.runtime = runtime;
        this.proxier = proxier;
    }

    /**
     * Starts the proxy in this process's network namespace with the real iptables binaries.
     * Returns at once; rules follow the first complete list of Services and EndpointSlices.
     *
     * @param client   API client (not closed by {@link #close()})
     * @param config   proxy configuration; {@code iptables.backend} picks the binaries
     * @param nodeName this node's name
     * @throws IllegalStateException when the metrics address cannot be bound
     */
    public static ProxyServer start(KubernetesClient client, ProxyConfig config, String nodeName) {
        return start(client, config, nodeName, CommandRunner.system(), List.of());
    }

    /**
     * Like {@link #start(KubernetesClient, ProxyConfig, String)} with an injected runner and argv
     * prefix (e.g. {@code ip netns exec NS}) for every iptables command.
     */
    public static ProxyServer start(KubernetesClient client, ProxyConfig config, String nodeName,
            CommandRunner runner, List<String> argvPrefix) {
        requireNonNull(client, "client");
        requireNonNull(config, "config");
        requireNonNull(nodeName, "nodeName");
        IptablesProxier proxier = new IptablesProxier(runner, argvPrefix,
                IptablesBackend.parse(config.iptables().backend()), config);
        return new ProxyServer(ProxyRuntime.start(client, config, nodeName, proxier), proxier);
    }

    /** The bound metrics port, when the metrics server runs. */
    public Optional<Integer> metricsPort() {
        return runtime.metricsPort();
    }

    /** The sync metrics. */
    public ProxyMetrics metrics() {
        return runtime.metrics();
    }

    /** The controller (snapshot, initialized state). */
    public ProxyController controller() {
        return runtime.controller();
    }

    /** The proxier (last applied restore input). */
    public IptablesProxier proxier() {
        return proxier;
    }

    /** Stops watching and syncing; the rules stay in place, as kube-proxy leaves them on exit. */
    @Override
    public void close() {
        runtime.close();
    }
}
