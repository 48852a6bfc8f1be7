package dev.junction.cli;

import dev.junction.common.CommandRunner;
import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code junction up}: builds the lab (the role {@code kind create cluster} plays for Docker), starts
 * every component, applies the cluster add-ons (DNS) and the given manifests, waits until every
 * Deployment is available and every Pod is Ready, prints the kubeconfig path and a summary, and
 * returns while the lab keeps running. Refuses, changing nothing, when a lab already exists.
 */
@Command(name = "up", description = "Create the lab, start every component and apply manifests.")
public final class UpCommand implements Callable<Integer> {

    @Mixin
    LabOptions lab;

    @Option(names = {"-f", "--filename"}, description = "Manifest file or directory to apply (repeatable).")
    List<Path> manifests = new ArrayList<>();

    @Option(names = "--nodes", defaultValue = "2", description = "Number of worker nodes (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--proxy-mode", defaultValue = "iptables", description = "kube-proxy mode of the nodes: iptables, nftables or userspace (default: ${DEFAULT-VALUE}).")
    String proxyMode;

    @Option(names = "--storage-backend", defaultValue = "sqlite",
            description = "API server storage: sqlite (embedded) or etcd3 (an etcd member on the control-plane node) (default: ${DEFAULT-VALUE}).")
    String storageBackend;

    @Option(names = "--apiservers", defaultValue = "1",
            description = "API server processes: 1, or 2 sharing etcd (controllers use the first, node agents the second) (default: ${DEFAULT-VALUE}).")
    int apiServers;

    @Option(names = "--timeout", defaultValue = "180s", description = "How long to wait for the cluster to be ready, e.g. 180s, 5m (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        LabPaths paths = lab.paths();
        List<String> problems = Preconditions.problems();
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("junction up: " + p));
            return 1;
        }
        if (!dev.junction.proxy.ProxyConfig.MODES.contains(proxyMode)) {
            System.err.println("junction up: --proxy-mode: " + proxyMode + " (expected: one of " + dev.junction.proxy.ProxyConfig.MODES + ")");
            return 2;
        }
        if (!List.of("sqlite", "etcd3").contains(storageBackend)) {
            System.err.println("junction up: --storage-backend: " + storageBackend + " (expected: sqlite or etcd3)");
            return 2;
        }
        if (apiServers < 1 || apiServers > 2 || (apiServers == 2 && !storageBackend.equals("etcd3"))) {
            System.err.println("junction up: --apiservers: " + apiServers + " (expected: 1, or 2 with --storage-backend etcd3)");
            return 2;
        }
        if (storageBackend.equals("etcd3") && !Preconditions.onPath("etcd")) {
            System.err.println("junction up: --storage-backend etcd3 needs the etcd binary (Debian package etcd-server)");
            return 1;
        }
        LabNetwork network = new LabNetwork(CommandRunner.system());
        List<String> existing = network.existingNamespaces();
        Optional<Path> running = LabRegistry.runningHome();
        if (Files.exists(paths.state()) || !existing.isEmpty() || running.isPresent()) {
            String where = running.map(h -> "data dir " + h).orElse(Files.exists(paths.state()) ? paths.state().toString() : String.join(", ", existing));
            System.err.println("junction up: a lab already exists on this host (" + where + "); nothing was changed. Run 'junction down' first.");
            return 1;
        }
        if (!portFree(LabTopology.API_PORT)) {
            System.err.println("junction up: 127.0.0.1:" + LabTopology.API_PORT + " is in use by another program; nothing was changed.");
            return 1;
        }
        LabTopology topology = LabTopology.of(workers);
        Files.createDirectories(paths.home());
        LabRegistry.register(paths.home());
        Files.createDirectories(paths.cds());
        System.out.println("Creating the lab network: " + topology.nodes().size() + " nodes and a client host …");
        try {
            network.create(topology);
        } catch (RuntimeException e) {
            network.destroyAll();
            throw e;
        }
        LabState state = new LabState(workers, proxyMode, 0, storageBackend, apiServers);
        state.write(paths.state());
        LabPki.create(paths, topology, topology.apiServerUrl(apiServers - 1));
        long supervisorPid = startSupervisor(paths);
        state.withSupervisorPid(supervisorPid).write(paths.state());

        try (KubernetesClient client = KubeClients.create(Optional.empty(), Optional.of(paths.kubeconfig()))) {
            ClusterReadiness readiness = new ClusterReadiness(client, topology);
            System.out.println("Starting the API server, controllers and node agents …");
            Duration limit = Duration.parse("PT" + timeout.toUpperCase());
            readiness.awaitApiServer(limit);
            List<HasMetadata> objects = new ArrayList<>(addons(client, paths));
            objects.addAll(ManifestLoader.load(client, manifests));
            System.out.println("Applying " + objects.size() + " objects …");
            apply(client, objects);
            Optional<String> notReady = readiness.awaitReady(limit);
            System.out.println();
            System.out.print(new ClusterSummary(client).render());
            System.out.printf("%nkubeconfig: %s%n", paths.kubeconfig());
            System.out.printf("  export KUBECONFIG=%s%n", paths.kubeconfig());
            System.out.printf("lab ready in %.1f s%n", (System.nanoTime() - start) / 1e9);
            if (notReady.isPresent()) {
                System.err.println("junction up: the lab is running, but not everything became ready:");
                System.err.println(notReady.get());
                return 2;
            }
            return 0;
        }
    }

    private static boolean portFree(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long startSupervisor(LabPaths paths) throws IOException {
        Files.createDirectories(paths.logs());
        List<String> argv = new ArrayList<>(List.of("setsid"));
        argv.addAll(JvmCommand.of(paths.cds(), "supervisor", 128, List.of("supervisor", "--data-dir=" + paths.home())));
        Process process = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.log("supervisor").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return process.pid();
    }

    /**
     * The cluster add-ons every lab has: cluster DNS (Deployment kube-system/coredns, Service
     * kube-dns) and the ingress controller (namespace ingress-junction, IngressClass junction,
     * NodePort Service ingress-junction-controller on 30080/30443).
     */
    static List<HasMetadata> addons(KubernetesClient client, LabPaths paths) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String addon : List.of("coredns", "ingress")) {
            String resource = addon.equals("coredns") ? "/addons/dns.yaml" : "/addons/ingress.yaml";
            try (InputStream in = UpCommand.class.getResourceAsStream(resource)) {
                // The add-on pods authenticate with their own token: the manifest's in-cluster
                // --server flag becomes the component's kubeconfig (CA + token), see LabPki.
                String yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace(
                        "--server=http://" + LabTopology.KUBERNETES_SERVICE_IP + ":443", "--kubeconfig=" + paths.componentKubeconfig(addon));
                objects.addAll(client.load(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))).items());
            } catch (IOException e) {
                throw new UncheckedIOException(resource, e);
            }
        }
        objects.sort(java.util.Comparator.comparingInt(o -> o.getKind().equals("Namespace") ? 0 : 1));
        return objects;
    }

    /** Creates each object, or updates it when it already exists (like {@code kubectl apply}). */
    static void apply(KubernetesClient client, List<HasMetadata> objects) {
        for (HasMetadata object : objects) {
            if (object.getMetadata().getNamespace() == null && isNamespaced(client, object)) {
                object.getMetadata().setNamespace("default");
            }
            try {
                client.resource(object).createOr(NonDeletingOperation::update);
                System.out.printf("  %s/%s created%n", object.getKind().toLowerCase(), object.getMetadata().getName());
            } catch (KubernetesClientException e) {
                System.err.printf("  %s/%s: %s%n", object.getKind().toLowerCase(), object.getMetadata().getName(),
                        e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage());
            }
        }
    }

    private static boolean isNamespaced(KubernetesClient client, HasMetadata object) {
        return switch (object.getKind()) {
            case "Namespace", "Node", "IngressClass", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass" -> false;
            default -> true;
        };
    }
}
