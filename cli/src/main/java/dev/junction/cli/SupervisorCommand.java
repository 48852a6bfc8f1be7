package dev.junction.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    /**
     * Heap ceilings (-Xmx, MiB), sized for the issue-4 scale of 10,000 Services × 10 endpoints: the
     * node agent holds informer caches of every Service and EndpointSlice plus the proxy's snapshot,
     * rendered fragments and the ~45 MB rule text of a full sync (256 MiB ran out of heap there).
     * A serial-GC heap only grows when used, so a small lab stays small.
     */
    static final int APISERVER_HEAP_MB = 768;
    static final int CONTROLLERS_HEAP_MB = 512;
    static final int NODE_HEAP_MB = 1024;
    /**
     * The API server's young generation (-Xmn, MiB). With the serial collector's default (a third of
     * the heap) each young collection copied every object stored since the last one: 45–200 ms pauses
     * while EndpointSlices of 100 endpoints were created. A small fixed young generation pauses more
     * often and much shorter: in one quiet run of {@code bench/apiserver/run.sh 10000 1000 8 10}
     * (2026-11-22 08:08 UTC) EndpointSlice create p99 went from 102 / 84 ms to 50 / 42 ms (SQLite / etcd3),
     * RSS at 10k Services + 100k endpoints from 357 / 398 to 313 / 332 MiB, CPU per create unchanged or lower.
     * With the C1 JIT ({@link #APISERVER_JVM_FLAGS}) 24 MiB did better again in three interleaved rounds
     * per backend (2026-11-22 11:13–11:19 UTC): EndpointSlice p99 25.5–28.7 vs 35.1–41.2 ms (SQLite) and
     * 30.4–31.4 vs 40.2–41.1 ms (etcd3), Service create p99 26.6–29.1 vs 32.5–37.7 ms (SQLite) and
     * 36.3–40.1 vs 37.3–43.4 ms (etcd3), CPU per create within ±10 %, RSS 17 MiB lower on etcd3.
     */
    static final int APISERVER_YOUNG_MB = 24;
    /**
     * The API server's own JVM flags: the young generation above, and only the C1 JIT
     * ({@code -XX:TieredStopAtLevel=1}; HotSpot's tiered compilation, JEP 197 / "Tiered
     * Compilation" in the JVM guide). On the lab's 2 cores, shared with a dozen JVMs, C2's compiler
     * threads took the CPU that requests needed for longer than the code they compiled saved: in
     * {@code bench/apiserver/run.sh} (2026-11-22 10:37–10:41 UTC, interleaved) C1 alone cut the server's
     * CPU per Service create from 2.41–2.43 to 1.47 ms at 10k Services on etcd3 (p99 52–56 → 43–44 ms),
     * and at 20k from 1.12 to 0.75 ms on SQLite and 1.82 to 1.38 ms on etcd3, RSS 37–60 MiB lower.
     * A server that ran for days under heavy load would gain from C2 again; the lab's does not.
     */
    static final List<String> APISERVER_JVM_FLAGS = List.of("-Xmn" + APISERVER_YOUNG_MB + "m", "-XX:TieredStopAtLevel=1");

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
        Optional<ApiRelay> relay2 = state.apiServers() > 1
                ? Optional.of(ApiRelay.start(new InetSocketAddress("127.0.0.1", LabTopology.API_PORT_2), paths.apiSocket(1)))
                : Optional.empty();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            relay2.ifPresent(ApiRelay::close);
            supervisor.close();
            stopped.countDown();
        }));
        for (Component component : components(paths, state)) {
            supervisor.supervise(component);
        }
        stopped.await();
        return 0;
    }

    /**
     * The control plane (etcd with storage backend etcd3, the API server(s), controllers) and one node
     * agent per node, in start order.
     */
    static List<Component> components(LabPaths paths, LabState state) {
        LabTopology topology = state.topology();
        LabNode cp = topology.controlPlane();
        List<Component> components = new ArrayList<>();
        boolean etcd = state.storageBackend().equals("etcd3");
        if (etcd) {
            // One etcd member on the control-plane node (kubeadm's stacked etcd), fsync on commit.
            String client = "http://127.0.0.1:" + LabTopology.ETCD_CLIENT_PORT;
            String peer = "http://127.0.0.1:" + (LabTopology.ETCD_CLIENT_PORT + 1);
            components.add(new Component("etcd", inNetns(cp, List.of("etcd", "--name=jn-etcd", "--data-dir=" + paths.etcdData(),
                    "--listen-client-urls=" + client + ",http://" + cp.ip() + ":" + LabTopology.ETCD_CLIENT_PORT,
                    "--advertise-client-urls=http://" + cp.ip() + ":" + LabTopology.ETCD_CLIENT_PORT,
                    "--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
                    "--initial-cluster=jn-etcd=" + peer, "--listen-metrics-urls=http://127.0.0.1:" + (LabTopology.ETCD_CLIENT_PORT + 2)))));
        }
        for (int i = 0; i < state.apiServers(); i++) {
            List<String> apiserver = new ArrayList<>(List.of(
                    "apiserver",
                    "--bind-address=0.0.0.0",
                    "--port=" + (i == 0 ? LabTopology.API_PORT : LabTopology.API_PORT_2),
                    "--unix-socket=" + paths.apiSocket(i),
                    // Both advertise the first one, so they agree on the kubernetes Service's endpoints.
                    "--advertise-address=" + cp.ip(),
                    "--advertise-port=" + LabTopology.API_PORT,
                    "--service-cluster-ip-range=" + LabTopology.SERVICE_CIDR));
            if (etcd) {
                apiserver.addAll(List.of("--storage-backend=etcd3", "--etcd-servers=http://127.0.0.1:" + LabTopology.ETCD_CLIENT_PORT));
            } else {
                apiserver.add("--data-dir=" + paths.apiserverData());
            }
            apiserver.addAll(LabPki.apiServerFlags(paths));
            components.add(new Component(i == 0 ? "apiserver" : "apiserver-" + (i + 1),
                    inNetns(cp, JvmCommand.of(paths.cds(), i == 0 ? "apiserver" : "apiserver-" + (i + 1), APISERVER_HEAP_MB,
                            APISERVER_JVM_FLAGS, apiserver))));
        }
        components.add(new Component("controllers", inNetns(cp, JvmCommand.of(paths.cds(), "controllers", CONTROLLERS_HEAP_MB, List.of(
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
            components.add(new Component("node-" + node.name(), inNetns(node, JvmCommand.of(paths.cds(), "node", NODE_HEAP_MB, args))));
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
