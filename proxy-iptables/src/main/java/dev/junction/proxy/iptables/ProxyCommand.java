package dev.junction.proxy.iptables;

import dev.junction.common.Durations;
import dev.junction.common.KubeClients;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyMode;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code proxy}: kube-proxy for one node, running until SIGTERM/SIGINT (which stops it cleanly,
 * leaving the rules in place as kube-proxy does). {@code --proxy-mode} picks a {@link ProxyMode}
 * found on the class path ({@code iptables} always; {@code nftables} and {@code userspace} when
 * their modules are present), so this module does not depend on the other modes. Flag names follow
 * kube-proxy; {@code --iptables-min-sync-period} / {@code --iptables-sync-period} are aliases.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Watch Services and EndpointSlices and program kube-proxy's rules on this node.")
public final class ProxyCommand implements Callable<Integer> {

    @Option(names = "--server", description = "API server URL (wins over --kubeconfig)")
    String server;

    @Option(names = "--kubeconfig", description = "kubeconfig file")
    Path kubeconfig;

    @Option(names = "--hostname-override", required = true, description = "this node's Node name")
    String hostnameOverride;

    @Option(names = "--proxy-mode", defaultValue = "iptables", description = "iptables, nftables or userspace (default ${DEFAULT-VALUE})")
    String proxyMode;

    @Option(names = "--cluster-cidr", defaultValue = "10.244.0.0/16",
            description = "pod CIDR; ClusterIP traffic from outside it is masqueraded (empty: none), default ${DEFAULT-VALUE}")
    String clusterCidr;

    @Option(names = "--iptables-backend", defaultValue = "default",
            description = "default (iptables-restore), nft (iptables-nft-restore) or legacy (iptables-legacy-restore)")
    String iptablesBackend;

    @Option(names = {"--min-sync-period", "--iptables-min-sync-period", "--nftables-min-sync-period"}, defaultValue = "1s",
            description = "minimum interval between syncs after a burst of 2; 0s: no limit (default ${DEFAULT-VALUE})")
    String minSyncPeriod;

    @Option(names = {"--sync-period", "--iptables-sync-period", "--nftables-sync-period"}, defaultValue = "30s",
            description = "maximum interval between full syncs (default ${DEFAULT-VALUE})")
    String syncPeriod;

    @Option(names = "--masquerade-all", description = "SNAT all traffic sent to ClusterIPs")
    boolean masqueradeAll;

    @Option(names = "--nodeport-addresses", split = ",",
            description = "CIDRs of node addresses that accept NodePorts (default: all local addresses)")
    List<String> nodePortAddresses = List.of();

    @Option(names = "--ipvs-scheduler", defaultValue = "rr",
            description = "userspace mode: rr, lc, dh, sh, sed or nq (default ${DEFAULT-VALUE})")
    String scheduler;

    @Option(names = "--udp-timeout", defaultValue = "250ms",
            description = "userspace mode: idle time after which a UDP session closes (default ${DEFAULT-VALUE})")
    String udpTimeout;

    @Option(names = "--metrics-bind-address", defaultValue = "127.0.0.1:10249",
            description = "host:port serving /metrics and /healthz; empty disables (default ${DEFAULT-VALUE})")
    String metricsBindAddress;

    /** Builds the configuration these options describe. @throws IllegalArgumentException on bad values */
    ProxyConfig config() {
        Duration min = Durations.parse(minSyncPeriod);
        Duration max = Durations.parse(syncPeriod);
        return new ProxyConfig(proxyMode, Optional.of(clusterCidr).filter(c -> !c.isEmpty()), nodePortAddresses,
                masqueradeAll, ProxyConfig.DEFAULT_MASQUERADE_BIT, metricsBindAddress,
                new ProxyConfig.Iptables(min, max, IptablesBackend.parse(iptablesBackend).name().toLowerCase(java.util.Locale.ROOT)),
                new ProxyConfig.Userspace(scheduler, Durations.parse(udpTimeout)));
    }

    @Override
    public Integer call() throws Exception {
        ProxyConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        KubernetesClient client = KubeClients.create(Optional.ofNullable(server), Optional.ofNullable(kubeconfig));
        AutoCloseable proxy;
        try {
            proxy = ProxyMode.forName(config.mode()).start(client, config, hostnameOverride);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.close();
            } catch (Exception e) {
                System.err.println("proxy: close failed: " + e);
            }
            client.close();
            stopped.countDown();
        }, "proxy-shutdown"));
        stopped.await();
        return 0;
    }

    /** Runs the command standalone. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ProxyCommand()).execute(args));
    }
}
