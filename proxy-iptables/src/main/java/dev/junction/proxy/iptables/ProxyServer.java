package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.MetricsServer;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyController;
import dev.junction.proxy.ProxyMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * A running proxy (upstream cmd/kube-proxy's {@code ProxyServer}): the {@link ProxyController}
 * driving an {@link IptablesProxier}, plus the metrics/healthz server when
 * {@code metricsBindAddress} is not empty. The node-agent JVM embeds it through {@link #start}.
 */
public final class ProxyServer implements AutoCloseable {
    private final ProxyController controller;
    private final Optional<MetricsServer> metricsServer;
    private final ProxyMetrics metrics;
    private final IptablesProxier proxier;

    private ProxyServer(ProxyController controller, Optional<MetricsServer> metricsServer, ProxyMetrics metrics,
            IptablesProxier proxier) {
        this.controller = controller;
        this.metricsServer = metricsServer;
        this.metrics = metrics;
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
        ProxyMetrics metrics = new ProxyMetrics(Clock.systemUTC(), config.iptables().syncPeriod().multipliedBy(2));
        Optional<MetricsServer> server = config.metricsBindAddress().isEmpty()
                ? Optional.empty() : Optional.of(MetricsServer.start(config.metricsBindAddress(), metrics));
        IptablesProxier proxier = new IptablesProxier(runner, argvPrefix,
                IptablesBackend.parse(config.iptables().backend()), config);
        try {
            return new ProxyServer(ProxyController.start(client, config, nodeName, proxier, metrics), server, metrics, proxier);
        } catch (RuntimeException e) {
            server.ifPresent(MetricsServer::close);
            throw e;
        }
    }

    /** The bound metrics port, when the metrics server runs. */
    public Optional<Integer> metricsPort() {
        return metricsServer.map(MetricsServer::port);
    }

    /** The sync metrics. */
    public ProxyMetrics metrics() {
        return metrics;
    }

    /** The controller (snapshot, initialized state). */
    public ProxyController controller() {
        return controller;
    }

    /** The proxier (last applied restore input). */
    public IptablesProxier proxier() {
        return proxier;
    }

    /** Stops watching and syncing; the rules stay in place, as kube-proxy leaves them on exit. */
    @Override
    public void close() {
        controller.close();
        metricsServer.ifPresent(MetricsServer::close);
    }
}
