package dev.junction.node;

import static java.util.Objects.requireNonNull;

import dev.junction.cni.Bridge;
import dev.junction.cni.HostGwRoutes;
import dev.junction.cni.HostLocalIpam;
import dev.junction.cni.NodeExec;
import dev.junction.cni.PodCidr;
import dev.junction.cni.PodDnsConfigurer;
import dev.junction.cni.PodNetns;
import dev.junction.cni.PodNetnsFiles;
import dev.junction.cni.PodNetworkSetup;
import dev.junction.common.CommandRunner;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Junction's kubelet: registers the Node and heartbeats it, runs the pods bound to it (sandbox
 * network through the {@code cni} module, containers as processes, readiness probes, restarts),
 * publishes their status, and keeps host-gw routes to the other nodes' pod CIDRs. Modelled on
 * kubernetes {@code pkg/kubelet/kubelet.go} ({@code syncLoop}, {@code SyncPod},
 * {@code SyncTerminatingPod}) with one sync thread fed by pod watch events, process exits, probe
 * results and a 1 s tick.
 *
 * <p>Build with {@link #builder()}, then {@link #start()}; {@link #close()} stops the agent and
 * leaves pods running so that a restarted agent re-adopts them (records under
 * {@code <data-dir>/pods}).
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    private final Builder config;
    private final NodeExec node;
    private final PodCidr cidr;
    private final Path podsDir;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "node-agent-timer");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService routesExecutor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "node-agent-routes");
        t.setDaemon(true);
        return t;
    });
    private PodSandbox sandbox;
    private PodWorker.Context context;
    private NodeRegistration registration;
    private HostGwRoutes hostGw;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Pod> pods;
    private Thread syncThread;
    private HealthzServer healthz;
    private volatile boolean running;
    private volatile long lastLoop = System.nanoTime();

    private NodeAgent(Builder b) {
        this.config = b;
        this.node = new NodeExec(b.runner, b.nodeNetns);
        this.cidr = PodCidr.parse(b.podCidr);
        this.podsDir = b.dataDir.resolve("pods");
    }

    /** A builder; client, nodeName, nodeIp, podCidr and dataDir are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sets up {@code cni0}, registers the Node, re-adopts or cleans up pods recorded by a previous
     * run, and starts watching.
     *
     * @return this
     * @throws RuntimeException when the bridge, the registration or the informers fail
     */
    public NodeAgent start() {
        try {
            Files.createDirectories(podsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("data dir: " + config.dataDir, e);
        }
        new Bridge(node).setUp(cidr);
        HostLocalIpam ipam = new HostLocalIpam(cidr, config.dataDir.resolve("ipam"));
        PodDnsConfigurer dns = new PodDnsConfigurer(config.clusterDns, config.clusterDomain, readNodeResolvConf());
        sandbox = new PodSandbox(ipam, new PodNetworkSetup(node), new PodNetnsFiles(config.netnsFilesRoot), dns, config.clusterDomain);
        KubernetesClient client = config.client;
        context = new PodWorker.Context(node, config.launcher, config.images, new ProbeRunner(node), config.nodeIp,
                this::enqueue, new EventRecorder(client, config.nodeName));
        hostGw = new HostGwRoutes(node);
        registration = new NodeRegistration(client, config.nodeName, config.nodeIp, cidr.toString(), config.taints);
        registration.register();
        timers.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);

        services = client.services().inAnyNamespace().inform();
        nodes = client.nodes().inform(new Handler<>(n -> routesExecutor.execute(this::syncRoutes)));
        routesExecutor.execute(this::syncRoutes);

        List<Pod> bound = podsOnThisNode().list().getItems().stream()
                .filter(p -> config.nodeName.equals(p.getSpec().getNodeName())).toList();
        adoptOrCleanUp(bound);

        running = true;
        pods = podsOnThisNode().inform(new Handler<>(p -> enqueue(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())));
        syncThread = new Thread(this::syncLoop, "node-agent-sync");
        syncThread.setDaemon(true);
        syncThread.start();
        timers.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        if (config.healthzPort >= 0) {
            healthz = new HealthzServer(config.healthzPort, this::healthy, this::metrics);
        }
        log.info("node agent {} started: nodeIP {}, podCIDR {}, {} pods re-adopted", config.nodeName, config.nodeIp, cidr, workers.size());
        return this;
    }

    private io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable<Pod, io.fabric8.kubernetes.api.model.PodList,
            io.fabric8.kubernetes.client.dsl.PodResource> podsOnThisNode() {
        var all = config.client.pods().inAnyNamespace();
        return config.podFieldSelector ? all.withField("spec.nodeName", config.nodeName) : all;
    }

    /** The port /healthz listens on, if enabled. */
    public Optional<Integer> healthzPort() {
        return Optional.ofNullable(healthz).map(HealthzServer::port);
    }

    /** Stops watching and syncing; pods keep running. */
    @Override
    public void close() {
        running = false;
        timers.shutdownNow();
        routesExecutor.shutdownNow();
        for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {pods, nodes, services}) {
            if (informer != null) {
                informer.close();
            }
        }
        if (syncThread != null) {
            syncThread.interrupt();
            try {
                syncThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.values().forEach(PodWorker::detach);
        if (healthz != null) {
            healthz.close();
        }
    }

    /** Prometheus text with kubelet's metric names for pods and containers (pkg/kubelet/metrics). */
    String metrics() {
        Map<String, Integer> states = new java.util.TreeMap<>(Map.of("running", 0, "waiting", 0, "exited", 0));
        List<PodWorker> current = List.copyOf(workers.values());
        current.forEach(w -> w.containerStates().forEach((k, v) -> states.merge(k, v, Integer::sum)));
        StringBuilder out = new StringBuilder()
                .append("# HELP kubelet_node_name The node's name. The count is always 1.\n")
                .append("# TYPE kubelet_node_name gauge\n")
                .append("kubelet_node_name{node=\"").append(config.nodeName).append("\"} 1\n")
                .append("# HELP kubelet_running_pods Number of pods that have a running pod sandbox\n")
                .append("# TYPE kubelet_running_pods gauge\n")
                .append("kubelet_running_pods ").append(current.stream().filter(w -> !w.sandboxGone()).count()).append('\n')
                .append("# HELP kubelet_running_containers Number of containers currently running\n")
                .append("# TYPE kubelet_running_containers gauge\n");
        states.forEach((state, count) -> out.append("kubelet_running_containers{container_state=\"").append(state)
                .append("\"} ").append(count).append('\n'));
        return out.toString();
    }

    private boolean healthy() {
        return running && System.nanoTime() - lastLoop < TimeUnit.SECONDS.toNanos(30);
    }

    private void enqueue(String key) {
        if (queued.add(key)) {
            queue.add(key);
        }
    }

    private void tick() {
        workers.keySet().forEach(this::enqueue);
        if (pods != null) {
            pods.getStore().list().stream().filter(p -> config.nodeName.equals(p.getSpec().getNodeName()))
                    .forEach(p -> enqueue(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
        }
    }

    private void heartbeat() {
        try {
            registration.heartbeat();
        } catch (RuntimeException e) {
            log.warn("node heartbeat failed: {}", e.toString());
        }
    }

    private void syncLoop() {
        while (running) {
            String key;
            try {
                key = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            lastLoop = System.nanoTime();
            if (key == null) {
                continue;
            }
            queued.remove(key);
            try {
                syncPod(key);
            } catch (RuntimeException e) {
                log.warn("sync of pod {} failed: {}", key, e.toString(), e);
            }
        }
    }

    private void syncPod(String key) {
        if (pods == null) {
            return;
        }
        Pod pod = pods.getStore().getByKey(key);
        PodWorker worker = workers.get(key);
        if (pod != null && !config.nodeName.equals(pod.getSpec().getNodeName())) {
            pod = null;
        }
        if (worker != null && pod != null && !worker.uid().equals(pod.getMetadata().getUid())) {
            stopPod(worker, Duration.ZERO);
            worker = null;
        }
        boolean deleting = pod != null && pod.getMetadata().getDeletionTimestamp() != null;
        if (pod == null || deleting) {
            if (worker != null) {
                stopPod(worker, gracePeriod(pod));
            }
            if (deleting) {
                try {
                    config.client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                            .withGracePeriod(0).delete();
                } catch (KubernetesClientException e) {
                    log.debug("final delete of {} failed: {}", key, e.toString());
                }
            }
            return;
        }
        if (worker == null) {
            String phase = pod.getStatus() == null ? "" : Optional.ofNullable(pod.getStatus().getPhase()).orElse("");
            if (phase.equals("Succeeded") || phase.equals("Failed")) {
                return;
            }
            worker = createWorker(pod);
        }
        worker.sync(pod);
        writeStatus(pod, worker);
        if (worker.terminal() && !worker.sandboxGone()) {
            worker.kill(Duration.ZERO);
            sandbox.tearDown(worker.record().netns(), worker.record().key());
            worker.markSandboxGone();
        }
    }

    private PodWorker createWorker(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String uid = Optional.ofNullable(pod.getMetadata().getUid()).orElse("");
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        String netns = hostNetwork ? "" : config.podNetnsName.apply(ns, name);
        Path dir = podsDir.resolve(PodRecord.dirName(ns, name, uid));
        PodRecord pending = new PodRecord(dir, ns, name, uid, netns, "");
        pending.save();
        String ip = hostNetwork ? config.nodeIp : sandbox.setUp(pod, netns, pending.key(), PodWorker.hostname(pod));
        PodRecord record = new PodRecord(dir, ns, name, uid, netns, ip);
        record.save();
        if (hostNetwork) {
            writeHostNetworkResolvConf(pod, dir);
        }
        PodWorker worker = new PodWorker(context, pod, record, serviceEnv(pod), startTime(pod));
        workers.put(ns + "/" + name, worker);
        log.info("pod {}/{} sandbox ready: netns {}, ip {}", ns, name, netns, ip);
        return worker;
    }

    /**
     * A hostNetwork pod shares the node's network but, as with kubelet, still gets its own
     * resolv.conf: the node's for ClusterFirst/Default, the cluster DNS for ClusterFirstWithHostNet.
     */
    private void writeHostNetworkResolvConf(Pod pod, Path dir) {
        try {
            Files.writeString(dir.resolve(PodWorker.HOST_NETWORK_RESOLV_CONF), sandbox.resolvConf(pod));
        } catch (IOException e) {
            throw new UncheckedIOException("resolv.conf of hostNetwork pod " + pod.getMetadata().getName(), e);
        }
    }

    private Map<String, String> serviceEnv(Pod pod) {
        boolean links = !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks());
        return ServiceEnv.forPod(pod.getMetadata().getNamespace(), links, services.getStore().list());
    }

    private static String startTime(Pod pod) {
        return Optional.ofNullable(pod.getStatus()).map(PodStatus::getStartTime).filter(s -> !s.isEmpty()).orElseGet(PodWorker::now);
    }

    private void writeStatus(Pod pod, PodWorker worker) {
        PodStatus status = worker.status();
        if (worker.lastWritten().filter(status::equals).isPresent()) {
            return;
        }
        var resource = config.client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
        try {
            resource.editStatus(p -> {
                p.setStatus(status);
                return p;
            });
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            resource.edit(p -> {
                p.setStatus(status);
                return p;
            });
        }
        worker.written(status);
    }

    private void stopPod(PodWorker worker, Duration grace) {
        workers.remove(worker.key());
        worker.kill(grace);
        sandbox.tearDown(worker.record().netns(), worker.record().key());
        worker.record().delete();
        log.info("pod {} stopped and torn down", worker.key());
    }

    private static Duration gracePeriod(Pod pod) {
        if (pod == null) {
            return Duration.ZERO;
        }
        Long seconds = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (seconds == null) {
            seconds = pod.getSpec().getTerminationGracePeriodSeconds();
        }
        return Duration.ofSeconds(seconds == null ? 30 : Math.max(0, seconds));
    }

    private void adoptOrCleanUp(List<Pod> bound) {
        Map<String, Pod> byUid = new HashMap<>();
        for (Pod p : bound) {
            byUid.put(p.getMetadata().getUid(), p);
        }
        Set<String> keep = new HashSet<>();
        for (PodRecord record : PodRecord.list(podsDir)) {
            Pod pod = byUid.get(record.uid());
            boolean live = pod != null && pod.getMetadata().getDeletionTimestamp() == null
                    && !terminalPhase(pod) && !record.ip().isEmpty()
                    && (record.netns().isEmpty() || sandbox.netnsExists(record.netns()));
            if (live) {
                try {
                    if (!record.netns().isEmpty()) {
                        sandbox.setUp(pod, record.netns(), record.key(), PodWorker.hostname(pod));
                    }
                    PodWorker worker = new PodWorker(context, pod, record, serviceEnv(pod), startTime(pod));
                    worker.adopt(record.loadPids());
                    workers.put(worker.key(), worker);
                    keep.add(record.key());
                    log.info("re-adopted pod {}", worker.key());
                    continue;
                } catch (RuntimeException e) {
                    log.warn("cannot re-adopt pod {}/{}: {}", record.namespace(), record.name(), e.toString());
                }
            }
            killRecorded(record);
            sandbox.tearDown(record.netns(), record.key());
            record.delete();
            log.info("cleaned up orphaned pod {}/{} ({})", record.namespace(), record.name(), record.uid());
        }
        for (String owner : new ArrayList<>(sandbox.ipam().allocations().values())) {
            if (!keep.contains(owner)) {
                sandbox.ipam().release(owner);
            }
        }
    }

    private void killRecorded(PodRecord record) {
        for (PodRecord.ContainerPid pid : record.loadPids().values()) {
            if (ProcessHandle.of(pid.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                node.runner().run("kill", "-KILL", Long.toString(pid.pid()));
            }
        }
        if (!record.netns().isEmpty() && sandbox.netnsExists(record.netns())) {
            for (String pid : node.runner().run("ip", "netns", "pids", record.netns()).stdout().split("\\s+")) {
                if (!pid.isBlank()) {
                    node.runner().run("kill", "-KILL", pid.strip());
                }
            }
        }
    }

    private static boolean terminalPhase(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private void syncRoutes() {
        if (nodes == null) {
            return;
        }
        try {
            List<HostGwRoutes.NodeRoute> routes = new ArrayList<>();
            for (Node n : nodes.getStore().list()) {
                if (n.getMetadata().getName().equals(config.nodeName) || n.getSpec() == null) {
                    continue;
                }
                String podCidr = n.getSpec().getPodCIDR();
                Optional<String> ip = n.getStatus() == null || n.getStatus().getAddresses() == null ? Optional.empty()
                        : n.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                                .map(NodeAddress::getAddress).filter(a -> !a.contains(":")).findFirst();
                if (podCidr != null && !podCidr.isEmpty() && ip.isPresent() && !PodCidr.parse(podCidr).equals(cidr)) {
                    routes.add(new HostGwRoutes.NodeRoute(podCidr, ip.get()));
                }
            }
            hostGw.sync(routes);
        } catch (RuntimeException e) {
            log.warn("host-gw route sync failed: {}", e.toString());
        }
    }

    private String readNodeResolvConf() {
        try {
            return Files.readString(config.nodeResolvConf);
        } catch (IOException e) {
            log.warn("cannot read {}: {}", config.nodeResolvConf, e.toString());
            return "";
        }
    }

    /** Calls {@code onChange} for every add, update and delete. */
    private record Handler<T>(java.util.function.Consumer<T> onChange) implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            onChange.accept(obj);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            onChange.accept(newObj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            onChange.accept(obj);
        }
    }

    /** Configuration of a {@link NodeAgent}. */
    public static final class Builder {
        private KubernetesClient client;
        private String nodeName;
        private String nodeIp;
        private String podCidr;
        private Path dataDir;
        private List<String> clusterDns = List.of("10.96.0.10");
        private String clusterDomain = "cluster.local";
        private List<Taint> taints = List.of();
        private CommandRunner runner = CommandRunner.system();
        private ImageResolver images = ImageResolver.none();
        private ContainerLauncher launcher = ContainerLauncher.system();
        private Optional<String> nodeNetns = Optional.empty();
        private BiFunction<String, String, String> podNetnsName = PodNetns::name;
        private Path netnsFilesRoot = PodNetnsFiles.DEFAULT_ROOT;
        private Path nodeResolvConf = Path.of("/etc/resolv.conf");
        private int healthzPort = -1;
        private boolean podFieldSelector = true;

        private Builder() {
        }

        /** The API client (required). */
        public Builder client(KubernetesClient client) {
            this.client = requireNonNull(client, "client");
            return this;
        }

        /** The Node's name (required). */
        public Builder nodeName(String nodeName) {
            this.nodeName = requireNonNull(nodeName, "nodeName");
            return this;
        }

        /** The node's InternalIP, IPv4 (required). */
        public Builder nodeIp(String nodeIp) {
            this.nodeIp = requireNonNull(nodeIp, "nodeIp");
            return this;
        }

        /** The node's pod CIDR, e.g. {@code 10.244.1.0/24} (required). */
        public Builder podCidr(String podCidr) {
            this.podCidr = requireNonNull(podCidr, "podCidr");
            return this;
        }

        /** State directory: {@code ipam/}, {@code pods/} (required). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Cluster DNS servers; default {@code [10.96.0.10]}. */
        public Builder clusterDns(List<String> clusterDns) {
            this.clusterDns = List.copyOf(clusterDns);
            return this;
        }

        /** Cluster domain; default {@code cluster.local}. */
        public Builder clusterDomain(String clusterDomain) {
            this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
            return this;
        }

        /** Taints added at registration; default none. */
        public Builder taints(List<Taint> taints) {
            this.taints = List.copyOf(taints);
            return this;
        }

        /** Runs ip, sysctl, kill, curl…; default {@link CommandRunner#system()}. */
        public Builder commandRunner(CommandRunner runner) {
            this.runner = requireNonNull(runner, "runner");
            return this;
        }

        /** How containers without a command run; default: none runs. */
        public Builder imageResolver(ImageResolver images) {
            this.images = requireNonNull(images, "images");
            return this;
        }

        /** Starts container processes; default {@link ContainerLauncher#system()}. */
        public Builder containerLauncher(ContainerLauncher launcher) {
            this.launcher = requireNonNull(launcher, "launcher");
            return this;
        }

        /** A namespace acting as the node (tests); default empty: the agent's own namespace. */
        public Builder nodeNetns(Optional<String> nodeNetns) {
            this.nodeNetns = requireNonNull(nodeNetns, "nodeNetns");
            return this;
        }

        /** (namespace, pod name) → netns name; default {@link PodNetns#name(String, String)}. */
        public Builder podNetnsName(BiFunction<String, String, String> podNetnsName) {
            this.podNetnsName = requireNonNull(podNetnsName, "podNetnsName");
            return this;
        }

        /** Where per-netns resolv.conf/hosts go; default {@code /etc/netns}. */
        public Builder netnsFilesRoot(Path netnsFilesRoot) {
            this.netnsFilesRoot = requireNonNull(netnsFilesRoot, "netnsFilesRoot");
            return this;
        }

        /** The node's resolv.conf (for dnsPolicy Default); default {@code /etc/resolv.conf}. */
        public Builder nodeResolvConf(Path nodeResolvConf) {
            this.nodeResolvConf = requireNonNull(nodeResolvConf, "nodeResolvConf");
            return this;
        }

        /** Port of {@code /healthz} on 127.0.0.1; 0 = any free port; negative (default) = disabled. */
        public Builder healthzPort(int healthzPort) {
            this.healthzPort = healthzPort;
            return this;
        }

        /**
         * Whether the pod list/watch asks the API server for {@code fieldSelector=spec.nodeName=<node>}
         * (default true, as kubelet). When false the agent watches all pods and filters itself
         * (for API servers without field selectors, such as fabric8's mock server).
         */
        public Builder podFieldSelector(boolean podFieldSelector) {
            this.podFieldSelector = podFieldSelector;
            return this;
        }

        /**
         * @throws NullPointerException     when a required value is missing
         * @throws IllegalArgumentException when podCidr is not an IPv4 CIDR
         */
        public NodeAgent build() {
            requireNonNull(client, "client");
            requireNonNull(nodeName, "nodeName");
            requireNonNull(nodeIp, "nodeIp");
            requireNonNull(podCidr, "podCidr");
            requireNonNull(dataDir, "dataDir");
            return new NodeAgent(this);
        }
    }
}
