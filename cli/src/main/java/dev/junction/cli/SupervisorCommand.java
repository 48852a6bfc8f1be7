package dev.junction.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The lab's only process in the root network namespace: relays 127.0.0.1:6443 to the API server's
 * Unix socket ({@link ApiRelay}) and keeps the control plane and one node agent per node running
 * ({@link ProcessSupervisor}). Started detached by {@code junction up}; stopped by
 * {@code junction down} (SIGTERM stops its components first).
 */
@Command(name = "supervisor", hidden = true, description = "Run the lab supervisor (started by 'junction up').")
public final class SupervisorCommand implements Callable<Integer> {

    @Option(names = "--data-dir", required = true, description = "Lab data directory.")
    Path dataDir;

    @Option(names = "--listen-port", defaultValue = "6443", description = "Port on 127.0.0.1 relayed to the API server (default: ${DEFAULT-VALUE}).")
    int listenPort;

    @Override
    public Integer call() throws Exception {
        LabPaths paths = new LabPaths(dataDir);
        LabState state = LabState.read(paths.state())
                .orElseThrow(() -> new IllegalStateException("no lab state at " + paths.state()));
        ProcessSupervisor.writePid(paths.pidFile("supervisor"), ProcessHandle.current().pid());
        ProcessSupervisor supervisor = new ProcessSupervisor(paths);
        ApiRelay relay = ApiRelay.start(new InetSocketAddress("127.0.0.1", listenPort), paths.apiSocket());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            supervisor.close();
            stopped.countDown();
        }));
        for (Component component : components(paths, state)) {
            supervisor.supervise(component);
        }
        stopped.await();
        return 0;
    }

    /** The control plane (API server, controllers) and one node agent per node, in start order. */
    static List<Component> components(LabPaths paths, LabState state) {
        LabTopology topology = state.topology();
        LabNode cp = topology.controlPlane();
        List<Component> components = new ArrayList<>();
        List<String> apiserver = new ArrayList<>(List.of(
                "apiserver",
                "--data-dir=" + paths.apiserverData(),
                "--bind-address=0.0.0.0",
                "--port=" + LabTopology.API_PORT,
                "--unix-socket=" + paths.apiSocket(),
                "--advertise-address=" + cp.ip(),
                "--service-cluster-ip-range=" + LabTopology.SERVICE_CIDR));
        apiserver.addAll(LabPki.apiServerFlags(paths));
        components.add(new Component("apiserver", inNetns(cp, JvmCommand.of(paths.cds(), "apiserver", 512, apiserver))));
        components.add(new Component("controllers", inNetns(cp, JvmCommand.of(paths.cds(), "controllers", 256, List.of(
                "controllers", "--kubeconfig=" + paths.componentKubeconfig("controllers"))))));
        String imageRunner = String.join(" ", JvmCommand.of(paths.cds(), "image", 128, List.of("image")));
        for (LabNode node : topology.nodes()) {
            List<String> args = new ArrayList<>(List.of(
                    "lab-node",
                    "--kubeconfig=" + paths.componentKubeconfig("node-" + node.name()),
                    "--node-name=" + node.name(),
                    "--node-ip=" + node.ip(),
                    "--pod-cidr=" + node.podCidr(),
                    "--data-dir=" + paths.node(node.name()),
                    "--cluster-dns=" + LabTopology.CLUSTER_DNS,
                    "--cluster-domain=" + LabTopology.CLUSTER_DOMAIN,
                    "--cluster-cidr=" + LabTopology.POD_CIDR,
                    "--proxy-mode=" + state.proxyMode(),
                    "--image-runner=" + imageRunner));
            if (node.controlPlane()) {
                args.add("--register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule");
            }
            components.add(new Component("node-" + node.name(), inNetns(node, JvmCommand.of(paths.cds(), "node", 256, args))));
        }
        return components;
    }

    /**
     * Runs argv inside the node's network namespace only ({@code nsenter --net}), keeping the host's
     * mount namespace so that pod namespaces the agent adds are visible host-wide.
     */
    static List<String> inNetns(LabNode node, List<String> argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + node.netnsPath(), "--"));
        full.addAll(argv);
        return full;
    }
}
