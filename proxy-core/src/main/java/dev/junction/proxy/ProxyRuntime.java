package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Optional;

/**
 * What every proxy mode runs around its {@link Proxier} (upstream cmd/kube-proxy's
 * {@code ProxyServer}): the {@link ProxyController}, the {@code /metrics} + {@code /healthz} server
 * on {@code metricsBindAddress} (none when empty) and the {@link ServiceHealthServer} for
 * {@code healthCheckNodePort}s on 0.0.0.0, synced after each successful proxier sync.
 */
public final class ProxyRuntime implements AutoCloseable {
    private final ProxyController controller;
    private final Optional<MetricsServer> metricsServer;
    private final ServiceHealthServer healthServer;
    private final ProxyMetrics metrics;

    private ProxyRuntime(ProxyController controller, Optional<MetricsServer> metricsServer,
            ServiceHealthServer healthServer, ProxyMetrics metrics) {
        this.controller = controller;
        this.metricsServer = metricsServer;
        this.healthServer = healthServer;
        this.metrics = metrics;
    }

    /**
     * Starts serving and watching; returns at once.
     *
     * @throws IllegalStateException when the metrics address cannot be bound
     */
    public static ProxyRuntime start(KubernetesClient client, ProxyConfig config, String nodeName, Proxier proxier) {
        requireNonNull(client, "client");
        requireNonNull(config, "config");
        requireNonNull(nodeName, "nodeName");
        requireNonNull(proxier, "proxier");
        ProxyMetrics metrics = new ProxyMetrics(Clock.systemUTC(), config.iptables().syncPeriod().multipliedBy(2));
        Optional<MetricsServer> server = config.metricsBindAddress().isEmpty()
                ? Optional.empty() : Optional.of(MetricsServer.start(config.metricsBindAddress(), metrics));
        ServiceHealthServer health = new ServiceHealthServer("0.0.0.0", metrics::healthy);
        Proxier withHealth = (snapshot, node) -> {
            proxier.sync(snapshot, node);
            health.sync(snapshot);
        };
        try {
            return new ProxyRuntime(ProxyController.start(client, config, nodeName, withHealth, metrics), server, health, metrics);
        } catch (RuntimeException e) {
            server.ifPresent(MetricsServer::close);
            health.close();
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

    /** Stops watching, syncing and serving. */
    @Override
    public void close() {
        controller.close();
        metricsServer.ifPresent(MetricsServer::close);
        healthServer.close();
    }
}
