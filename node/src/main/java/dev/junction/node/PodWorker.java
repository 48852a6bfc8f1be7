package dev.junction.node;

import static java.util.Objects.requireNonNull;

import dev.junction.cni.NodeExec;
import dev.junction.cni.PodHosts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one pod, the role of kubelet's per-pod worker ({@code pkg/kubelet/pod_workers.go}) and
 * {@code SyncPod} ({@code pkg/kubelet/kuberuntime/kuberuntime_manager.go}): starts each container
 * as a process in the pod netns, restarts it per {@code restartPolicy} with back-off, runs its
 * readiness probe ({@code pkg/kubelet/prober/worker.go}) and reports the container states.
 * Not thread-safe: the agent's sync loop calls it; process exits and probe results only wake that loop.
 */
final class PodWorker {
    /** File in a hostNetwork pod's record directory holding its resolv.conf (bind-mounted at start). */
    static final String HOST_NETWORK_RESOLV_CONF = "resolv.conf";
    private static final Logger log = LoggerFactory.getLogger(PodWorker.class);
    private static final Duration MAX_GRACE = Duration.ofSeconds(2);
    private static final Duration BACKOFF_RESET = Duration.ofMinutes(10);

    /** Shared collaborators of every worker. */
    record Context(NodeExec node, ContainerLauncher launcher, ImageResolver images, ProbeRunner prober,
            String nodeIp, Consumer<String> wake, EventRecorder events) {
    }

    private final Context ctx;
    private final String key;
    private final PodRecord record;
    private final String hostname;
    private final Map<String, String> serviceEnv;
    private final String startTime;
    private final List<ContainerWorker> initContainers = new ArrayList<>();
    private final List<ContainerWorker> containers = new ArrayList<>();
    private Pod pod;
    private Optional<PodStatus> lastWritten = Optional.empty();
    private boolean sandboxGone;

    PodWorker(Context ctx, Pod pod, PodRecord record, Map<String, String> serviceEnv, String startTime) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.pod = requireNonNull(pod, "pod");
        this.record = requireNonNull(record, "record");
        this.key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        this.hostname = PodHosts.hostname(pod.getMetadata().getName(), Optional.ofNullable(pod.getSpec().getHostname()));
        this.serviceEnv = Map.copyOf(serviceEnv);
        this.startTime = startTime;
        this.lastWritten = Optional.ofNullable(pod.getStatus());
        for (Container c : pod.getSpec().getInitContainers() == null ? List.<Container>of() : pod.getSpec().getInitContainers()) {
            initContainers.add(new ContainerWorker(c, true));
        }
        for (Container c : pod.getSpec().getContainers()) {
            containers.add(new ContainerWorker(c, false));
        }
    }

    static String hostname(Pod pod) {
        return PodHosts.hostname(pod.getMetadata().getName(), Optional.ofNullable(pod.getSpec().getHostname()));
    }

    String key() {
        return key;
    }

    String uid() {
        return record.uid();
    }

    PodRecord record() {
        return record;
    }

    boolean sandboxGone() {
        return sandboxGone;
    }

    void markSandboxGone() {
        sandboxGone = true;
    }

    Optional<PodStatus> lastWritten() {
        return lastWritten;
    }

    void written(PodStatus status) {
        lastWritten = Optional.of(status);
    }

    /** Re-adopts processes recorded before an agent restart; dead ones count as exited. */
    void adopt(Map<String, PodRecord.ContainerPid> pids) {
        boolean mainStarted = containers.stream().anyMatch(c -> pids.containsKey(c.spec.getName()));
        if (mainStarted) {
            initContainers.forEach(ContainerWorker::markCompleted);
        }
        for (ContainerWorker c : all()) {
            if (c.terminated != null) {
                continue;
            }
            PodRecord.ContainerPid recorded = pids.get(c.spec.getName());
            if (recorded == null) {
                continue;
            }
            c.restartCount = recorded.restartCount();
            c.startedAt = recorded.startedAt().isEmpty() ? now() : recorded.startedAt();
            c.everStarted = true;
            c.lastPid = recorded.pid();
            Optional<ContainerLauncher.RunningProcess> process = ContainerLauncher.adopt(recorded.pid());
            if (process.isPresent()) {
                c.process = process.get();
                c.process.exit().whenComplete((code, e) -> ctx.wake().accept(key));
                c.startProber();
            } else {
                c.process = new ContainerLauncher.RunningProcess(recorded.pid(),
                        java.util.concurrent.CompletableFuture.completedFuture(-1));
            }
        }
    }

    /** Reconciles processes with the spec: records exits, starts or restarts containers. */
    void sync(Pod latest) {
        this.pod = requireNonNull(latest, "latest");
        boolean changedPids = false;
        Instant now = Instant.now();
        boolean initialized = true;
        for (ContainerWorker c : initContainers) {
            if (c.succeeded()) {
                continue;
            }
            changedPids |= c.sync(now);
            if (!c.succeeded()) {
                initialized = false;
                break;
            }
        }
        if (initialized) {
            for (ContainerWorker c : containers) {
                changedPids |= c.sync(now);
            }
        }
        if (changedPids) {
            savePids();
        }
    }

    /** The status to publish now. */
    PodStatus status() {
        List<PodStatusGenerator.ContainerView> inits = initContainers.stream().map(ContainerWorker::view).toList();
        List<PodStatusGenerator.ContainerView> views = containers.stream().map(ContainerWorker::view).toList();
        return PodStatusGenerator.generate(inits, views, Optional.of(record.ip()).filter(ip -> !ip.isEmpty()),
                ctx.nodeIp(), startTime, lastWritten, now());
    }

    /** True when every container terminated for good (the pod is Succeeded or Failed). */
    boolean terminal() {
        String phase = PodStatusGenerator.phase(initContainers.stream().map(ContainerWorker::view).toList(),
                containers.stream().map(ContainerWorker::view).toList());
        return phase.equals("Succeeded") || phase.equals("Failed");
    }

    /**
     * Stops every process: SIGTERM by PID, SIGKILL after the grace period (capped at 2 s), then
     * SIGKILL to anything left in the pod netns.
     */
    void kill(Duration gracePeriod) {
        Duration grace = gracePeriod.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : gracePeriod;
        List<ContainerLauncher.RunningProcess> running = new ArrayList<>();
        for (ContainerWorker c : all()) {
            c.stopProber();
            if (c.process != null && !c.process.exit().isDone()) {
                running.add(c.process);
                ctx.events().record(pod, "Normal", "Killing", "Stopping container " + c.spec.getName());
                ctx.node().runner().run("kill", "-TERM", Long.toString(c.process.pid()));
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ContainerLauncher.RunningProcess p : running) {
            waitFor(p, Math.max(0, deadline - System.nanoTime()));
        }
        for (ContainerLauncher.RunningProcess p : running) {
            if (!p.exit().isDone()) {
                ctx.node().runner().run("kill", "-KILL", Long.toString(p.pid()));
                waitFor(p, TimeUnit.SECONDS.toNanos(2));
            }
        }
        if (!record.netns().isEmpty()) {
            String pids = ctx.node().runner().run("ip", "netns", "pids", record.netns()).stdout();
            for (String pid : pids.split("\\s+")) {
                if (!pid.isBlank()) {
                    ctx.node().runner().run("kill", "-KILL", pid.strip());
                }
            }
        }
    }

    /** Containers per state for metrics: running, waiting, exited. */
    Map<String, Integer> containerStates() {
        Map<String, Integer> out = new LinkedHashMap<>(Map.of("running", 0, "waiting", 0, "exited", 0));
        for (ContainerWorker c : all()) {
            ContainerState state = c.view().state();
            String key = state.getRunning() != null ? "running" : state.getTerminated() != null ? "exited" : "waiting";
            out.merge(key, 1, Integer::sum);
        }
        return out;
    }

    /** Stops probers without touching processes (agent shutdown leaves pods running). */
    void detach() {
        all().forEach(ContainerWorker::stopProber);
    }

    private static void waitFor(ContainerLauncher.RunningProcess p, long nanos) {
        try {
            p.exit().get(nanos, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // timed out or failed: the caller escalates
        }
    }

    private void savePids() {
        Map<String, PodRecord.ContainerPid> pids = new LinkedHashMap<>();
        for (ContainerWorker c : all()) {
            if (c.lastPid > 0) {
                pids.put(c.spec.getName(), new PodRecord.ContainerPid(c.lastPid, c.restartCount, c.startedAt));
            }
        }
        record.savePids(pids);
    }

    private List<ContainerWorker> all() {
        List<ContainerWorker> all = new ArrayList<>(initContainers);
        all.addAll(containers);
        return all;
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** One container's process, restarts and readiness. */
    private final class ContainerWorker {
        final Container spec;
        final boolean init;
        ContainerLauncher.RunningProcess process;
        boolean everStarted;
        long lastPid;
        String startedAt = "";
        Instant startedInstant = Instant.now();
        int restartCount;
        int backoffSteps;
        Instant restartAt;
        ContainerStateTerminated lastTermination;
        ContainerStateTerminated terminated;
        String notRunnable;
        String startError;
        volatile boolean ready;
        volatile Thread prober;
        /** True for a built-in image without a readinessProbe: Ready waits until its first TCP port listens. */
        boolean startupGated;

        ContainerWorker(Container spec, boolean init) {
            this.spec = spec;
            this.init = init;
        }

        boolean succeeded() {
            return terminated != null && terminated.getExitCode() != null && terminated.getExitCode() == 0;
        }

        /** Marks an init container as completed (re-adoption after the main containers started). */
        void markCompleted() {
            ContainerStateTerminated t = new ContainerStateTerminated();
            t.setExitCode(0);
            t.setReason("Completed");
            terminated = t;
            everStarted = true;
        }

        /** @return true when a process was started */
        boolean sync(Instant now) {
            if (process != null && process.exit().isDone()) {
                onExit(now);
            }
            if (process != null || terminated != null || notRunnable != null) {
                return false;
            }
            if (restartAt != null && now.isBefore(restartAt)) {
                return false;
            }
            if (restartAt != null) {
                restartCount++;
            }
            restartAt = null;
            return start();
        }

        private void onExit(Instant now) {
            int code = process.exit().getNow(-1);
            stopProber();
            ready = false;
            ContainerStateTerminated t = new ContainerStateTerminated();
            t.setExitCode(code);
            t.setReason(code == 0 ? "Completed" : "Error");
            t.setStartedAt(startedAt);
            t.setFinishedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
            t.setContainerID("junction://" + process.pid());
            process = null;
            String policy = pod.getSpec().getRestartPolicy();
            boolean restart = init ? code != 0 && !"Never".equals(policy) : RestartBackoff.shouldRestart(policy, code);
            if (restart) {
                if (Duration.between(startedInstant, now).compareTo(BACKOFF_RESET) >= 0) {
                    backoffSteps = 0;
                }
                lastTermination = t;
                restartAt = now.plus(RestartBackoff.delay(backoffSteps));
                backoffSteps++;
                log.info("container {} of pod {} exited with {}; restarting in {}", spec.getName(), key, code,
                        Duration.between(now, restartAt));
            } else {
                terminated = t;
                log.info("container {} of pod {} exited with {}", spec.getName(), key, code);
            }
        }

        private boolean start() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
            env.put("HOME", Optional.ofNullable(System.getenv("HOME")).orElse("/root"));
            Map<String, String> containerEnv = ContainerEnv.build(pod, spec, serviceEnv, hostname, record.ip(), ctx.nodeIp());
            env.putAll(containerEnv);
            List<String> argv;
            if (spec.getCommand() != null && !spec.getCommand().isEmpty()) {
                argv = ContainerEnv.argv(spec, containerEnv);
            } else {
                Container expanded = new ContainerBuilder(spec).withArgs(ContainerEnv.argv(
                        new ContainerBuilder(spec).withCommand(List.of()).build(), containerEnv)).build();
                Optional<List<String>> resolved = ctx.images().argvFor(expanded);
                if (resolved.isEmpty()) {
                    notRunnable = BuiltInImageResolver.notRunnableMessage(spec.getImage());
                    ctx.events().warning(pod, "Failed", "Failed to start container " + spec.getName() + ": " + notRunnable);
                    ctx.wake().accept(key);
                    return false;
                }
                argv = resolved.get();
                startupGated = spec.getReadinessProbe() == null && firstTcpPort().isPresent();
            }
            List<String> full = new ArrayList<>();
            Path hostResolvConf = record.dir().resolve(HOST_NETWORK_RESOLV_CONF);
            if (record.netns().isEmpty() && Files.exists(hostResolvConf)) {
                // hostNetwork: the node's network, but the pod's own /etc/resolv.conf in a private mount
                // namespace (kubelet bind-mounts the pod's resolv.conf into every container).
                List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                        "sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", hostResolvConf.toString()));
                wrapped.addAll(argv);
                full.addAll(ctx.node().wrap(wrapped));
            } else if (record.netns().isEmpty()) {
                full.addAll(ctx.node().wrap(argv));
            } else {
                full.addAll(List.of("ip", "netns", "exec", record.netns(), "setsid", "unshare", "--uts", "--",
                        "sh", "-c", "hostname \"$0\"; exec \"$@\"", hostname));
                full.addAll(argv);
            }
            Path logFile = record.dir().resolve(spec.getName() + ".log");
            try {
                Path workingDir = Path.of(Optional.ofNullable(spec.getWorkingDir()).filter(d -> !d.isEmpty()).orElse("/"));
                process = ctx.launcher().start(full, env, Optional.of(workingDir), logFile);
            } catch (IOException | RuntimeException e) {
                startError = e.getMessage();
                lastTermination = null;
                restartAt = Instant.now().plus(RestartBackoff.delay(backoffSteps++));
                log.warn("container {} of pod {} failed to start: {}", spec.getName(), key, e.toString());
                return false;
            }
            startError = null;
            everStarted = true;
            lastPid = process.pid();
            startedInstant = Instant.now();
            startedAt = startedInstant.truncatedTo(ChronoUnit.SECONDS).toString();
            process.exit().whenComplete((code, e) -> ctx.wake().accept(key));
            log.info("started container {} of pod {} as pid {}", spec.getName(), key, process.pid());
            ctx.events().record(pod, "Normal", "Started", "Started container " + spec.getName());
            startProber();
            return true;
        }

        /** The first TCP containerPort, if any. */
        Optional<Integer> firstTcpPort() {
            return Optional.ofNullable(spec.getPorts()).orElse(List.of()).stream()
                    .filter(p -> p.getProtocol() == null || "TCP".equals(p.getProtocol()))
                    .map(p -> p.getContainerPort()).filter(java.util.Objects::nonNull).findFirst();
        }

        /**
         * Built-in images stand in for servers that listen within milliseconds of starting (nginx,
         * whoami), while their JVM takes a second or two. So that a container is not Ready before it
         * can serve — which real nginx never is — such a container without a readinessProbe becomes
         * Ready when its first TCP containerPort accepts a connection (checked every 100 ms), and
         * stays Ready while the process lives, as kubelet treats a probe-less container.
         */
        void startStartupGate() {
            ready = false;
            Probe tcp = new io.fabric8.kubernetes.api.model.ProbeBuilder().withNewTcpSocket()
                    .withNewPort(firstTcpPort().orElseThrow()).endTcpSocket().withTimeoutSeconds(1).build();
            String ip = record.ip();
            Optional<String> netns = Optional.of(record.netns()).filter(n -> !n.isEmpty());
            prober = Thread.ofVirtual().name("startup-" + key + "/" + spec.getName()).start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        if (ctx.prober().probe(tcp, spec, ip, netns)) {
                            ready = true;
                            ctx.wake().accept(key);
                            return;
                        }
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void startProber() {
            Probe probe = spec.getReadinessProbe();
            if (probe == null) {
                if (startupGated) {
                    startStartupGate();
                }
                return;
            }
            ready = false;
            int initialDelay = Optional.ofNullable(probe.getInitialDelaySeconds()).orElse(0);
            int period = Math.max(1, Optional.ofNullable(probe.getPeriodSeconds()).orElse(10));
            int successThreshold = Math.max(1, Optional.ofNullable(probe.getSuccessThreshold()).orElse(1));
            int failureThreshold = Math.max(1, Optional.ofNullable(probe.getFailureThreshold()).orElse(3));
            String ip = record.ip();
            Optional<String> netns = Optional.of(record.netns()).filter(n -> !n.isEmpty());
            prober = Thread.ofVirtual().name("probe-" + key + "/" + spec.getName()).start(() -> {
                int successes = 0;
                int failures = 0;
                try {
                    Thread.sleep(Duration.ofSeconds(initialDelay));
                    while (!Thread.currentThread().isInterrupted()) {
                        boolean ok = ctx.prober().probe(probe, spec, ip, netns);
                        successes = ok ? successes + 1 : 0;
                        failures = ok ? 0 : failures + 1;
                        boolean next = ready;
                        if (successes >= successThreshold) {
                            next = true;
                        } else if (failures >= failureThreshold) {
                            next = false;
                        }
                        if (next != ready) {
                            ready = next;
                            ctx.wake().accept(key);
                        }
                        Thread.sleep(Duration.ofSeconds(period));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void stopProber() {
            Thread t = prober;
            if (t != null) {
                t.interrupt();
                prober = null;
            }
        }

        PodStatusGenerator.ContainerView view() {
            ContainerState state = new ContainerState();
            boolean isReady = false;
            Optional<String> id = Optional.empty();
            if (process != null && !process.exit().isDone()) {
                state.setRunning(new ContainerStateRunning(startedAt));
                isReady = (spec.getReadinessProbe() == null && !startupGated) || ready;
                id = Optional.of("junction://" + process.pid());
            } else if (terminated != null) {
                state.setTerminated(terminated);
                id = Optional.ofNullable(terminated.getContainerID());
                isReady = init && succeeded();
            } else if (notRunnable != null) {
                state.setWaiting(waiting("ImageNotRunnable", notRunnable));
            } else if (restartAt != null && lastTermination != null) {
                state.setWaiting(waiting("CrashLoopBackOff", "back-off " + RestartBackoff.delay(Math.max(0, backoffSteps - 1)).toSeconds()
                        + "s restarting failed container=" + spec.getName() + " pod=" + pod.getMetadata().getName() + "_"
                        + pod.getMetadata().getNamespace() + "(" + record.uid() + ")"));
            } else if (startError != null) {
                state.setWaiting(waiting("RunContainerError", startError));
            } else {
                state.setWaiting(waiting("ContainerCreating", ""));
            }
            Optional<ContainerState> last = Optional.ofNullable(lastTermination).map(t -> {
                ContainerState s = new ContainerState();
                s.setTerminated(t);
                return s;
            });
            int restarts = restartCount;
            return new PodStatusGenerator.ContainerView(spec.getName(), Optional.ofNullable(spec.getImage()).orElse(""),
                    id, isReady, state, last, restarts);
        }

        private static ContainerStateWaiting waiting(String reason, String message) {
            ContainerStateWaiting w = new ContainerStateWaiting();
            w.setReason(reason);
            if (!message.isEmpty()) {
                w.setMessage(message);
            }
            return w;
        }
    }
}
