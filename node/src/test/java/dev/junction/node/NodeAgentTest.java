package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.cni.PodNetns;
import dev.junction.common.CommandRunner;
import dev.junction.testing.RequiresRoot;
import dev.junction.testing.TestNetns;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent against fabric8's CRUD mock API server, with a test namespace playing the node. */
@EnableKubernetesMockClient(crud = true)
@RequiresRoot(commands = {"python3", "curl", "unshare", "nsenter"})
class NodeAgentTest {
    static final CommandRunner RUN = CommandRunner.system();
    static final Duration WAIT = Duration.ofSeconds(30);
    KubernetesClient client;
    @TempDir
    Path dataDir;
    @TempDir
    Path etcNetns;
    TestNetns nodeNs;
    String tag;
    BiFunction<String, String, String> namer;

    @BeforeEach
    void setUp() {
        nodeNs = TestNetns.create("node");
        tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        namer = (ns, name) -> PodNetns.name("jnt-" + tag + "-", ns, name);
    }

    @AfterEach
    void tearDown() {
        for (String name : RUN.run("ip", "netns", "list").stdout().split("\n")) {
            String ns = name.strip().split("\\s+")[0];
            if (ns.startsWith("jnt-" + tag + "-")) {
                for (String pid : RUN.run("ip", "netns", "pids", ns).stdout().split("\\s+")) {
                    if (!pid.isBlank()) {
                        RUN.run("kill", "-9", pid.strip());
                    }
                }
                RUN.run("ip", "netns", "del", ns);
            }
        }
        for (String pod : List.of("web", "busy", "job", "loop")) {
            RUN.run("rm", "-rf", "/etc/netns/" + namer.apply("default", pod));
        }
        nodeNs.close();
    }

    NodeAgent startAgent() {
        return NodeAgent.builder().client(client).nodeName("node-a").nodeIp("172.31.251.11").podCidr("10.244.1.0/24")
                .dataDir(dataDir).nodeNetns(Optional.of(nodeNs.name())).podNetnsName(namer)
                .netnsFilesRoot(Path.of("/etc/netns")).healthzPort(0).podFieldSelector(false).build().start();
    }

    @Test
    void podRunsIsReadyAnswersSurvivesAgentRestartAndIsTornDownOnDelete() throws Exception {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("kubernetes")
                .withNamespace("default").endMetadata().withNewSpec().withClusterIP("10.96.0.1")
                .addNewPort().withName("https").withPort(443).withProtocol("TCP").endPort().endSpec().build()).create();
        NodeAgent agent = startAgent();
        String podNetns = namer.apply("default", "web");
        try {
            assertThat(client.nodes().withName("node-a").get().getStatus().getConditions())
                    .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web")
                    .withNamespace("default").endMetadata().withNewSpec().withNodeName("node-a")
                    .addNewContainer().withName("http").withImage("python:3")
                    .withCommand("sh", "-c", "exec python3 -m http.server $(PORT)")
                    .addNewEnv().withName("PORT").withValue("8080").endEnv()
                    .addNewEnv().withName("MY_POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                    .endFieldRef().endValueFrom().endEnv()
                    .withNewReadinessProbe().withNewHttpGet().withNewPort(8080).withPath("/").endHttpGet()
                    .withPeriodSeconds(1).endReadinessProbe()
                    .endContainer().endSpec().build()).create();

            Pod running = awaitPod("web", p -> "Running".equals(p.getStatus().getPhase()) && ready(p));
            String ip = running.getStatus().getPodIP();
            assertThat(ip).startsWith("10.244.1.");
            assertThat(running.getStatus().getHostIP()).isEqualTo("172.31.251.11");
            assertThat(running.getStatus().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
            assertThat(curl(ip)).isEqualTo("200");
            assertThat(agent.metrics()).contains("kubelet_running_pods 1\n", "kubelet_running_containers{container_state=\"running\"} 1\n");

            long pid = Long.parseLong(running.getStatus().getContainerStatuses().get(0).getContainerID().replace("junction://", ""));
            String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
            assertThat(environ).contains("KUBERNETES_SERVICE_HOST=10.96.0.1\n", "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443\n",
                    "MY_POD_IP=" + ip + "\n", "HOSTNAME=web\n");
            assertThat(RUN.run("nsenter", "-u", "-t", Long.toString(pid), "hostname").stdout().strip()).isEqualTo("web");
            assertThat(Files.readString(Path.of("/etc/netns", podNetns, "resolv.conf")))
                    .startsWith("search default.svc.cluster.local svc.cluster.local cluster.local").contains("nameserver 10.96.0.10\n");
            assertThat(Files.readString(Path.of("/etc/netns", podNetns, "hosts"))).contains(ip + "\tweb\n");

            agent.close();
            agent = startAgent();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
            assertThat(curl(ip)).isEqualTo("200");

            client.pods().inNamespace("default").withName("web").delete();
            await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            // the agent's final delete (grace 0) removes the object once its processes are gone, well
            // before the 30-s grace period the API server would otherwise wait out
            await().atMost(Duration.ofSeconds(15)).until(() -> client.pods().inNamespace("default").withName("web").get() == null);
            await().atMost(WAIT).until(() -> !RUN.run("ip", "netns", "list").stdout().contains(podNetns));
            await().atMost(WAIT).until(() -> !Files.exists(Path.of("/etc/netns", podNetns)));
            assertThat(RUN.run("ip", "netns", "exec", nodeNs.name(), "ip", "-o", "link", "show").stdout()).doesNotContain("veth");
        } finally {
            agent.close();
        }
    }

    @Test
    void unknownImageWithoutCommandWaitsWithImageNotRunnableAndAWarning() {
        NodeAgent agent = startAgent();
        try {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("busy")
                    .withNamespace("default").endMetadata().withNewSpec().withNodeName("node-a")
                    .addNewContainer().withName("main").withImage("busybox:1.36").endContainer().endSpec().build()).create();
            Pod pod = awaitPod("busy", p -> p.getStatus().getContainerStatuses() != null
                    && !p.getStatus().getContainerStatuses().isEmpty()
                    && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                    && "ImageNotRunnable".equals(p.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason()));
            assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getMessage())
                    .contains("busybox:1.36", "nginx", "command");
            await().atMost(WAIT).until(() -> client.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(e -> "Warning".equals(e.getType()) && "busy".equals(e.getInvolvedObject().getName())));
            client.pods().inNamespace("default").withName("busy").delete();
            await().atMost(WAIT).until(() -> !RUN.run("ip", "netns", "list").stdout().contains(namer.apply("default", "busy")));
        } finally {
            agent.close();
        }
    }

    @Test
    void exitedContainerWithRestartPolicyNeverFailsThePod() {
        NodeAgent agent = startAgent();
        try {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("job")
                    .withNamespace("default").endMetadata().withNewSpec().withNodeName("node-a").withRestartPolicy("Never")
                    .addNewContainer().withName("main").withImage("none").withCommand("sh", "-c", "exit 3").endContainer()
                    .endSpec().build()).create();
            Pod pod = awaitPod("job", p -> "Failed".equals(p.getStatus().getPhase()));
            assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isEqualTo(3);
            assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
            await().atMost(WAIT).until(() -> !RUN.run("ip", "netns", "list").stdout().contains(namer.apply("default", "job")));
        } finally {
            agent.close();
        }
    }

    @Test
    void otherNodesGetHostGwRoutesAndHealthzAnswers() throws Exception {
        nodeNs.check("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        nodeNs.check("ip", "addr", "add", "172.31.251.11/24", "dev", "eth0");
        nodeNs.check("ip", "link", "set", "eth0", "up");
        NodeAgent agent = startAgent();
        try {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-b").endMetadata()
                    .withNewSpec().withPodCIDR("10.244.2.0/24").endSpec()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress("172.31.251.12").endAddress().endStatus()
                    .build()).create();
            await().atMost(WAIT).until(() -> nodeNs.check("ip", "route", "show").stdout()
                    .contains("10.244.2.0/24 via 172.31.251.12 dev eth0 proto 74"));
            client.nodes().withName("node-b").delete();
            await().atMost(WAIT).until(() -> !nodeNs.check("ip", "route", "show").stdout().contains("10.244.2.0/24"));

            int port = agent.healthzPort().orElseThrow();
            var response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok");
            var metrics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("kubelet_node_name{node=\"node-a\"} 1\n", "kubelet_running_pods 0\n");
            assertThat(client.nodes().withName("node-a").get().getSpec().getPodCIDR()).isEqualTo("10.244.1.0/24");
            assertThat(client.nodes().withName("node-a").get().getStatus().getNodeInfo().getKubeletVersion())
                    .isEqualTo("v1.33.0-junction");
        } finally {
            agent.close();
        }
    }

    @Test
    void initContainerRunsFirstAndAFailingContainerEntersCrashLoopBackOff() {
        NodeAgent agent = startAgent();
        try {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("loop")
                    .withNamespace("default").endMetadata().withNewSpec().withNodeName("node-a").withRestartPolicy("OnFailure")
                    .addNewInitContainer().withName("init").withImage("none").withCommand("sh", "-c", "exit 0").endInitContainer()
                    .addNewContainer().withName("main").withImage("none").withCommand("sh", "-c", "exit 1").endContainer()
                    .endSpec().build()).create();
            Pod pod = awaitPod("loop", p -> p.getStatus().getContainerStatuses() != null
                    && !p.getStatus().getContainerStatuses().isEmpty()
                    && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                    && "CrashLoopBackOff".equals(p.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason()));
            var main = pod.getStatus().getContainerStatuses().get(0);
            assertThat(main.getLastState().getTerminated().getExitCode()).isEqualTo(1);
            assertThat(main.getState().getWaiting().getMessage()).startsWith("back-off 10s restarting failed container=main pod=loop_default(");
            var init = pod.getStatus().getInitContainerStatuses().get(0);
            assertThat(init.getState().getTerminated().getReason()).isEqualTo("Completed");
            assertThat(init.getReady()).isTrue();
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            assertThat(pod.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus())
                    .isEqualTo("Initialized=True"));
            client.pods().inNamespace("default").withName("loop").delete();
            await().atMost(WAIT).until(() -> !RUN.run("ip", "netns", "list").stdout().contains(namer.apply("default", "loop")));
        } finally {
            agent.close();
        }
    }

    private Pod awaitPod(String name, java.util.function.Predicate<Pod> condition) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> client.pods().inNamespace("default").withName(name).get(),
                p -> p != null && p.getStatus() != null && condition.test(p));
    }

    private static boolean ready(Pod p) {
        return p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private String curl(String ip) {
        return RUN.run(List.of("ip", "netns", "exec", nodeNs.name(), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--max-time", "3", "http://" + ip + ":8080/"), "", Duration.ofSeconds(10)).stdout();
    }
}
