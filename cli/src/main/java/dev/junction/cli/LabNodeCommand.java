package dev.junction.cli;

import dev.junction.common.KubeClients;
import dev.junction.node.BuiltInImageResolver;
import dev.junction.node.NodeAgent;
import dev.junction.node.NodeRegistration;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyMode;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One lab node's agents in one JVM, inside the node's network namespace: the node agent
 * (kubelet + CNI role, {@link NodeAgent}) and the service proxy (kube-proxy role, in the mode
 * {@code --proxy-mode} names: iptables, nftables or userspace, found through {@link ProxyMode}). They share nothing but the API client; each lists and watches on its own.
 */
@Command(name = "lab-node", hidden = true, description = "Run a lab node's node agent and proxy (started by the supervisor).")
public final class LabNodeCommand implements Callable<Integer> {

    @Option(names = "--server", description = "API server URL (plain HTTP labs); else --kubeconfig.")
    Optional<String> server = Optional.empty();

    @Option(names = "--kubeconfig", description = "kubeconfig file with the API server, its CA and this node's token.")
    Optional<Path> kubeconfig = Optional.empty();

    @Option(names = "--node-name", required = true)
    String nodeName;

    @Option(names = "--node-ip", required = true)
    String nodeIp;

    @Option(names = "--pod-cidr", required = true)
    String podCidr;

    @Option(names = "--data-dir", required = true)
    Path dataDir;

    @Option(names = "--cluster-dns", defaultValue = LabTopology.CLUSTER_DNS)
    String clusterDns;

    @Option(names = "--cluster-domain", defaultValue = LabTopology.CLUSTER_DOMAIN)
    String clusterDomain;

    @Option(names = "--cluster-cidr", defaultValue = LabTopology.POD_CIDR)
    String clusterCidr;

    @Option(names = "--proxy-mode", defaultValue = "iptables")
    String proxyMode;

    @Option(names = "--min-sync-period", defaultValue = "100ms",
            description = "Proxy minSyncPeriod; the lab syncs fast so that rules follow changes (default: ${DEFAULT-VALUE}).")
    String minSyncPeriod;

    @Option(names = "--register-with-taints")
    List<String> taints = new ArrayList<>();

    @Option(names = "--image-runner", defaultValue = "")
    String imageRunner;

    @Override
    public Integer call() throws Exception {
        KubernetesClient client = KubeClients.create(server, kubeconfig);
        List<String> runner = imageRunner.isBlank() ? List.of() : Arrays.asList(imageRunner.strip().split("\\s+"));
        NodeAgent agent = NodeAgent.builder().client(client).nodeName(nodeName).nodeIp(nodeIp).podCidr(podCidr)
                .dataDir(dataDir).clusterDns(List.of(clusterDns)).clusterDomain(clusterDomain)
                .taints(taints.stream().map(NodeRegistration::parseTaint).toList())
                .imageResolver(new BuiltInImageResolver(runner)).healthzPort(10248)
                .build().start();
        ProxyConfig config = ProxyConfig.defaults().withMode(proxyMode).withClusterCIDR(Optional.of(clusterCidr))
                .withIptables(new ProxyConfig.Iptables(parse(minSyncPeriod), Duration.ofSeconds(30), "default"));
        AutoCloseable proxy = ProxyMode.forName(proxyMode).start(client, config, nodeName);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.close();
            } catch (Exception ignored) {
                // shutting down
            }
            agent.close();
            client.close();
            stopped.countDown();
        }, "lab-node-shutdown"));
        stopped.await();
        return 0;
    }

    private static Duration parse(String duration) {
        return dev.junction.common.Durations.parse(duration);
    }
}
