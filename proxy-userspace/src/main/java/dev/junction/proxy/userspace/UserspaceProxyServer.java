package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyController;
import dev.junction.proxy.ProxyMetrics;
import dev.junction.proxy.ProxyRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running userspace-mode proxy (kube-proxy ≤ v1.25 {@code --proxy-mode=userspace}): a
 * {@link ProxyRuntime} driving a {@link UserspaceProxier} whose listeners bind 0.0.0.0 and are
 * reached through REDIRECT rules.
 */
public final class UserspaceProxyServer implements AutoCloseable {
    /** Upstream's default {@code --udp-timeout}. */
    public static final Duration DEFAULT_UDP_IDLE_TIMEOUT = Duration.ofMillis(250);

    private final ProxyRuntime runtime;
    private final UserspaceProxier proxier;

    private UserspaceProxyServer(ProxyRuntime runtime, UserspaceProxier proxier) {
        this.runtime = runtime;
        this.proxier = proxier;
    }

    /**
     * Starts with {@code config.userspace()}'s scheduler and UDP idle timeout (defaults rr, 250 ms),
     * listeners on 0.0.0.0 on {@link NettyTransport#select(String)}'s transport, REDIRECT rules through the
     * real iptables and jump checks every {@code config.iptables().syncPeriod()} on their own thread; returns at once.
     */
    public static UserspaceProxyServer start(KubernetesClient client, ProxyConfig config, String nodeName) {
        return start(client, config, nodeName, new UserspaceProxier("0.0.0.0", Scheduler.parse(config.userspace().scheduler()),
                config.userspace().udpIdleTimeout(), Optional.of(CommandRunner.system()), List.of(), NettyTransport.select(UserspaceProxier.TRANSPORT_PROPERTY),
                config.iptables().syncPeriod(), System::nanoTime));
    }

    /** Starts with a prepared proxier (closed by {@link #close()}) and its {@linkplain UserspaceProxier#startJumpMonitor() jump monitor}. */
    public static UserspaceProxyServer start(KubernetesClient client, ProxyConfig config, String nodeName,
            UserspaceProxier proxier) {
        requireNonNull(proxier, "proxier");
        try {
            proxier.startJumpMonitor();
            return new UserspaceProxyServer(ProxyRuntime.start(client, config, nodeName, proxier), proxier);
        } catch (RuntimeException e) {
            proxier.close();
            throw e;
        }
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

    /** The proxier (listener ports). */
    public UserspaceProxier proxier() {
        return proxier;
    }

    /** Stops watching, closes every listener; the REDIRECT rules stay until the next start or cleanup. */
    @Override
    public void close() {
        runtime.close();
        proxier.close();
    }
}
