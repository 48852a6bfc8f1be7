package dev.junction.node;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code node-agent}: runs a {@link NodeAgent} until the process is terminated. SIGTERM closes the
 * agent and leaves its pods running (a new agent re-adopts them), like kubelet.
 */
@Command(name = "node-agent", mixinStandardHelpOptions = true,
        description = "Junction's kubelet: registers the node, runs its pods in network namespaces, keeps host-gw routes.")
public final class NodeAgentCommand implements Callable<Integer> {

    @Option(names = "--server", description = "API server URL (wins over --kubeconfig)")
    String server;

    @Option(names = "--kubeconfig", description = "kubeconfig file")
    Path kubeconfig;

    @Option(names = "--node-name", required = true, description = "this Node's name")
    String nodeName;

    @Option(names = "--node-ip", required = true, description = "this node's InternalIP (IPv4)")
    String nodeIp;

    @Option(names = "--pod-cidr", required = true, description = "this node's pod CIDR, e.g. 10.244.1.0/24")
    String podCidr;

    @Option(names = "--data-dir", description = "state directory (default: /var/lib/junction/nodes/<node-name>)")
    Path dataDir;

    @Option(names = "--cluster-dns", defaultValue = "10.96.0.10", split = ",",
            description = "cluster DNS server IPs, comma-separated (default: ${DEFAULT-VALUE})")
    List<String> clusterDns;

    @Option(names = "--cluster-domain", defaultValue = "cluster.local", description = "cluster domain (default: ${DEFAULT-VALUE})")
    String clusterDomain;

    @Option(names = "--register-with-taints", description = "taint key=value:Effect added at registration (repeatable)")
    List<String> taints = new ArrayList<>();

    @Option(names = "--image-runner", defaultValue = "",
            description = "command prefix, split on spaces, that runs built-in images (nginx, traefik/whoami, junction/dns)")
    String imageRunner;

    @Option(names = "--healthz-port", defaultValue = "10248", description = "port of /healthz on 127.0.0.1; 0 disables (default: ${DEFAULT-VALUE})")
    int healthzPort;

    /** {@code --data-dir}, or {@code /var/lib/junction/nodes/<node-name>}. */
    Path dataDir() {
        return dataDir != null ? dataDir : Path.of("/var/lib/junction/nodes", nodeName);
    }

    @Override
    public Integer call() throws Exception {
        List<Taint> parsed = taints.stream().map(NodeRegistration::parseTaint).toList();
        List<String> runner = imageRunner.isBlank() ? List.of() : Arrays.asList(imageRunner.strip().split("\\s+"));
        KubernetesClient client = KubeClients.create(Optional.ofNullable(server), Optional.ofNullable(kubeconfig));
        NodeAgent agent = NodeAgent.builder().client(client).nodeName(nodeName).nodeIp(nodeIp).podCidr(podCidr)
                .dataDir(dataDir()).clusterDns(clusterDns).clusterDomain(clusterDomain).taints(parsed)
                .imageResolver(new BuiltInImageResolver(runner)).healthzPort(healthzPort == 0 ? -1 : healthzPort)
                .build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            client.close();
            stopped.countDown();
        }, "node-agent-shutdown"));
        stopped.await();
        return 0;
    }
}
