package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.cni.PodNetns;
import dev.junction.common.CommandResult;
import dev.junction.testing.RequiresRoot;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 2's acceptance, end to end: {@code junction up} with the seed manifests 01 and 02, then
 * real curl, nslookup and kubectl from pods, from the client host and from the host, pod churn
 * under load, an API server killed with SIGKILL, invalid objects, and {@code junction down}.
 * Figures for the closing note are printed as {@code REPORT:} lines.
 */
@RequiresRoot(commands = {"iptables-restore", "nsenter", "unshare", "curl", "nslookup", "kubectl"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabTest {
    private static final String NGINX_PAGE = "Welcome to nginx!";
    private static KubernetesClient api;
    private static final List<String> NODE_IPS = List.of("172.30.0.10", "172.30.0.11", "172.30.0.12");

    @BeforeAll
    static void up() {
        Lab.junction(Duration.ofSeconds(120), "down");
        long start = System.nanoTime();
        CommandResult up = Lab.junction(Duration.ofSeconds(400), "up",
                "-f", Lab.seeds("01-my-nginx.yaml").toString(), "-f", Lab.seeds("02-service-types.yaml").toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(up.stdout());
        System.err.println(up.stderr());
        assertThat(up.exitCode()).as("junction up exit code; stderr: %s", up.stderr()).isZero();
        System.out.printf("REPORT: junction up wall time with seeds 01+02: %.1f s (incl. launcher JVM)%n", seconds);
        api = Lab.client();
    }

    @AfterAll
    static void cleanup() {
        if (api != null) {
            api.close();
        }
        Lab.junction(Duration.ofSeconds(120), "down");
    }

    @Test
    @Order(1)
    void curlByServiceNameFromPod() {
        assertThat(Lab.exec("curl", "curl", "-s", "-m", "5", "http://my-nginx").stdout()).contains(NGINX_PAGE);
        assertThat(Lab.exec("curl", "curl", "-s", "-m", "5", "http://my-nginx.default.svc.cluster.local").stdout()).contains(NGINX_PAGE);
    }

    @Test
    @Order(2)
    void nslookupReturnsClusterIp() {
        String clusterIp = api.services().inNamespace("default").withName("my-nginx").get().getSpec().getClusterIP();
        CommandResult lookup = Lab.exec("curl", "nslookup", "my-nginx");
        assertThat(lookup.exitCode()).as(lookup.stdout() + lookup.stderr()).isZero();
        assertThat(lookup.stdout()).contains("my-nginx.default.svc.cluster.local").contains("Address: " + clusterIp);
    }

    @Test
    @Order(3)
    void twentyRequestsReachBothReplicas() {
        Map<String, Integer> before = accessCounts("run=my-nginx");
        CommandResult loop = Lab.exec("curl", "sh", "-c",
                "for i in $(seq 1 20); do curl -s -m 5 http://my-nginx | grep -q 'Welcome to nginx' && echo ok; done");
        assertThat(loop.stdout().lines().filter("ok"::equals).count()).isEqualTo(20);
        Map<String, Integer> served = delta(before, accessCounts("run=my-nginx"));
        System.out.println("REPORT: 20 requests to my-nginx per replica: " + served);
        assertThat(served).hasSize(2).allSatisfy((pod, n) -> assertThat(n).as(pod).isPositive());
    }

    @Test
    @Order(4)
    void clusterIpAndNodePortsReachAllThreeReplicas() {
        assertThat(Lab.exec("curl", "curl", "-s", "-m", "5", "http://nginx-deploy-clusterip-svc:8080").stdout()).contains(NGINX_PAGE);
        int nodePort = api.services().inNamespace("default").withName("nginx-deploy-nodeport-svc").get().getSpec().getPorts().get(0).getNodePort();
        assertThat(nodePort).isBetween(30000, 32767);
        Map<String, Integer> before = accessCounts("app=nginx");
        for (String ip : NODE_IPS) {
            for (int port : List.of(32600, nodePort)) {
                CommandResult r = Lab.client("sh", "-c", "for i in $(seq 1 10); do curl -s -m 5 http://" + ip + ":" + port + " | grep -q 'Welcome to nginx' && echo ok; done");
                assertThat(r.stdout().lines().filter("ok"::equals).count()).as("NodePort %s:%d from the client host", ip, port).isEqualTo(10);
            }
        }
        Map<String, Integer> served = delta(before, accessCounts("app=nginx"));
        System.out.println("REPORT: 60 NodePort requests per nginx-deployment replica: " + served);
        assertThat(served).hasSize(3).allSatisfy((pod, n) -> assertThat(n).as(pod).isPositive());
    }

    @Test
    @Order(5)
    void headlessServiceResolvesToEveryPodIp() {
        Set<String> podIps = api.pods().inNamespace("default").withLabel("app", "nginx").list().getItems().stream()
                .map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
        assertThat(podIps).hasSize(3);
        CommandResult lookup = Lab.exec("curl", "nslookup", "nginx-deploy-headless-svc");
        Set<String> answered = lookup.stdout().lines().filter(l -> l.startsWith("Address: "))
                .map(l -> l.substring("Address: ".length()).strip()).collect(Collectors.toSet());
        assertThat(answered).as(lookup.stdout()).isEqualTo(podIps);
    }

    @Test
    @Order(6)
    void kubectlShowsServicesEndpointsSlicesAndPods() {
        CommandResult get = Lab.kubectl("get", "svc,endpoints,endpointslices,pods", "-o", "wide");
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        System.out.println(get.stdout());
        assertThat(get.stdout()).contains("my-nginx", "nginx-deploy-clusterip-svc", "nginx-deploy-nodeport-svc",
                "nginx-deploy-headless-svc", "nginx-service", "curl", "32600");
        String clusterIp = api.services().inNamespace("default").withName("my-nginx").get().getSpec().getClusterIP();
        assertThat(get.stdout()).contains(clusterIp);
    }

    @Test
    @Order(7)
    void deletedReplicaIsReplacedAndTrafficFollowsWithoutFailures() throws Exception {
        List<Pod> pods = api.pods().inNamespace("default").withLabel("app", "nginx").list().getItems();
        Pod victim = pods.get(0);
        String victimIp = victim.getStatus().getPodIP();
        // One curl every 50 ms from the client pod for 25 s, each line "<epoch ms> <http code>".
        Process loop = new ProcessBuilder("ip", "netns", "exec", PodNetns.name("default", "curl"), "sh", "-c",
                "end=$(( $(date +%s) + 25 )); while [ $(date +%s) -lt $end ]; do "
                        + "c=$(curl -s -m 2 -o /dev/null -w '%{http_code}' http://" + clusterIp("nginx-deploy-clusterip-svc") + ":8080); "
                        + "echo \"$(date +%s%3N) $c\"; sleep 0.05; done")
                .redirectErrorStream(true).start();
        Thread.sleep(2000);
        CommandResult delete = Lab.kubectl("delete", "pod", victim.getMetadata().getName());
        assertThat(delete.exitCode()).as(delete.stderr()).isZero();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Pod> now = api.pods().inNamespace("default").withLabel("app", "nginx").list().getItems();
            assertThat(now).hasSize(3).noneMatch(p -> p.getMetadata().getName().equals(victim.getMetadata().getName()));
            assertThat(now).allMatch(p -> p.getStatus() != null && p.getStatus().getPodIP() != null);
            List<String> ready = readyEndpoints("nginx-deploy-clusterip-svc");
            assertThat(ready).hasSize(3).doesNotContain(victimIp);
        });
        // Rules follow: no node's nat table still DNATs to the deleted pod's IP.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String node : List.of("jn-node-cp", "jn-node-a", "jn-node-b")) {
                String rules = Lab.sh("ip", "netns", "exec", node, "iptables-save", "-t", "nat").stdout();
                assertThat(rules).as(node).contains(readyEndpoints("nginx-deploy-clusterip-svc").get(0)).doesNotContain(victimIp + ":");
            }
        });
        long rulesUpdated = System.currentTimeMillis();
        String output = new String(loop.getInputStream().readAllBytes());
        loop.waitFor();
        List<String[]> samples = output.lines().map(l -> l.split(" ")).filter(a -> a.length == 2 && a[0].matches("\\d+")).toList();
        List<String> failuresAfter = samples.stream().filter(a -> Long.parseLong(a[0]) > rulesUpdated && !a[1].equals("200"))
                .map(a -> a[0] + " " + a[1]).toList();
        long after = samples.stream().filter(a -> Long.parseLong(a[0]) > rulesUpdated).count();
        long failuresBefore = samples.stream().filter(a -> Long.parseLong(a[0]) <= rulesUpdated && !a[1].equals("200")).count();
        System.out.printf("REPORT: curl loop during pod replacement: %d requests, %d failed before the rules were updated, %d after (of %d)%n",
                samples.size(), failuresBefore, failuresAfter.size(), after);
        assertThat(after).as("requests after the rules were updated").isPositive();
        assertThat(failuresAfter).isEmpty();
    }

    @Test
    @Order(8)
    void invalidServicesAreRejectedWith422AndNotStored() throws Exception {
        Map<String, String> cases = new TreeMap<>(Map.of(
                "bad-port-name", "{\"ports\":[{\"name\":\"123_abc\",\"port\":80}],\"selector\":{\"a\":\"b\"}}|spec.ports[0].name",
                "two-unnamed", "{\"ports\":[{\"port\":80},{\"port\":81}],\"selector\":{\"a\":\"b\"}}|spec.ports[",
                "bad-nodeport", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":40000}]}|spec.ports[0].nodePort",
                "bad-clusterip", "{\"clusterIP\":\"10.0.0.5\",\"ports\":[{\"port\":80}]}|spec.clusterIP"));
        HttpClient http = Lab.apiHttp();
        String token = Lab.adminToken();
        ObjectMapper json = new ObjectMapper();
        for (var c : cases.entrySet()) {
            String[] specAndField = c.getValue().split("\\|");
            String body = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + c.getKey() + "\"},\"spec\":" + specAndField[0] + "}";
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(Lab.API + "/api/v1/namespaces/default/services"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(c.getKey() + ": " + response.body()).isEqualTo(422);
            JsonNode status = json.readTree(response.body());
            assertThat(status.path("kind").asText()).isEqualTo("Status");
            assertThat(status.path("reason").asText()).isEqualTo("Invalid");
            List<String> fields = new ArrayList<>();
            status.path("details").path("causes").forEach(cause -> fields.add(cause.path("field").asText()));
            assertThat(fields).as(c.getKey()).anyMatch(f -> f.startsWith(specAndField[1]));
            assertThat(api.services().inNamespace("default").withName(c.getKey()).get()).as(c.getKey() + " stored").isNull();
        }
        // And through kubectl, as a user sees it.
        Path manifest = Files.createTempFile("invalid-svc", ".yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Service
                metadata: {name: bad-port-name}
                spec:
                  selector: {a: b}
                  ports: [{name: 123_abc, port: 80}]
                """);
        CommandResult create = Lab.kubectl("create", "-f", manifest.toString());
        Files.delete(manifest);
        assertThat(create.exitCode()).isNotZero();
        assertThat(create.stderr()).contains("is invalid").contains("spec.ports[0].name");
        assertThat(Lab.kubectl("get", "svc", "bad-port-name").exitCode()).isNotZero();
    }

    @Test
    @Order(9)
    void serviceResolvesFromPodSoonAfterCreation() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "resolve-probe-" + i;
            Process waiter = new ProcessBuilder("ip", "netns", "exec", PodNetns.name("default", "curl"), "sh", "-c",
                    "until nslookup -timeout=1 -retry=0 " + name + " >/dev/null 2>&1; do :; done; date +%s%3N").start();
            Thread.sleep(1500);
            long created = System.currentTimeMillis();
            api.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                    .withNewSpec().withSelector(Map.of("app", "nginx")).addNewPort().withPort(80).endPort().endSpec().build()).create();
            String resolvedAt = new String(waiter.getInputStream().readAllBytes()).strip();
            assertThat(waiter.waitFor()).isZero();
            millis.add(Long.parseLong(resolvedAt) - created);
            api.services().inNamespace("default").withName(name).delete();
        }
        System.out.println("REPORT: ms from Service create (client call) to its name resolving from a pod: " + millis);
        assertThat(millis).allMatch(ms -> ms < 10_000);
    }

    @Test
    @Order(10)
    void apiServerKilledWithSigkillLosesNoAcknowledgedObject() throws Exception {
        for (int i = 0; i < 50; i++) {
            api.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("durable-" + i).endMetadata()
                    .addToData("i", Integer.toString(i)).build()).create();
        }
        Set<String> before = allObjects();
        long pid = Long.parseLong(Files.readString(Lab.HOME.resolve("run/apiserver.pid")).strip());
        assertThat(Lab.sh("kill", "-9", Long.toString(pid)).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            long newPid = Long.parseLong(Files.readString(Lab.HOME.resolve("run/apiserver.pid")).strip());
            assertThat(newPid).isNotEqualTo(pid);
            assertThat(api.namespaces().withName("default").get()).isNotNull();
        });
        Set<String> after = allObjects();
        assertThat(after).containsAll(before);
        for (int i = 0; i < 50; i++) {
            assertThat(api.configMaps().inNamespace("default").withName("durable-" + i).get().getData()).containsEntry("i", Integer.toString(i));
        }
        // The cluster keeps working on the restarted server.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Lab.exec("curl", "curl", "-s", "-m", "5", "http://my-nginx").stdout()).contains(NGINX_PAGE));
    }

    @Test
    @Order(11)
    void reportResidentMemory() throws IOException {
        Map<String, Long> rss = new TreeMap<>();
        try (Stream<Path> pidFiles = Files.list(Lab.HOME.resolve("run"))) {
            for (Path f : pidFiles.filter(p -> p.toString().endsWith(".pid")).toList()) {
                rss.put(f.getFileName().toString().replace(".pid", ""), Lab.rssKib(Long.parseLong(Files.readString(f).strip())) / 1024);
            }
        }
        for (String ns : Lab.sh("ip", "netns", "list").stdout().lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith("jn-pod-")).toList()) {
            long total = 0;
            for (String pid : Lab.sh("ip", "netns", "pids", ns).stdout().split("\\s+")) {
                if (!pid.isBlank()) {
                    total += Math.max(0, Lab.rssKib(Long.parseLong(pid.strip())));
                }
            }
            rss.put(ns, total / 1024);
        }
        System.out.println("REPORT: RSS MiB per process: " + rss);
        assertThat(rss).containsKeys("apiserver", "controllers", "supervisor");
    }

    @Test
    @Order(12)
    void apiIsHttpsWithTheLabCaAndRefusesAnonymousRequests() throws Exception {
        HttpClient http = Lab.apiHttp();
        // TLS verified against the lab's own CA (no trust-all): anonymous → 401 Status, admin token → 200.
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(Lab.API + "/api/v1/namespaces/default/services")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(new ObjectMapper().readTree(anonymous.body()).path("reason").asText()).isEqualTo("Unauthorized");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(Lab.API + "/api/v1/namespaces/default/services"))
                .header("Authorization", "Bearer not-a-token").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> admin = http.send(HttpRequest.newBuilder(URI.create(Lab.API + "/api/v1/namespaces/default/services"))
                .header("Authorization", "Bearer " + Lab.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).isEqualTo(200);
        // Plain HTTP on the TLS port gets nothing usable.
        HttpResponse<String> plain;
        try {
            plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:6443/version"))
                    .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isNotEqualTo(200);
        } catch (IOException expected) {
            // the TLS handler closes the connection: refused, as kube-apiserver does
        }
        // kubectl verifies the server against certificate-authority-data and sends the admin token.
        CommandResult whoami = Lab.kubectl("get", "--raw", "/api/v1/namespaces/default/services/my-nginx");
        assertThat(whoami.exitCode()).as(whoami.stderr()).isZero();
        assertThat(Files.readString(Lab.HOME.resolve("kubeconfig"))).contains("server: https://127.0.0.1:6443", "certificate-authority-data: ");
        // One token per component: controllers, every node, and each add-on pod.
        List<String> tokenUsers = Files.readAllLines(Lab.HOME.resolve("pki/tokens.csv")).stream().map(l -> l.split(",")[1]).toList();
        assertThat(tokenUsers).contains("admin", "system:kube-controller-manager", "system:node:jn-node-cp", "system:node:jn-node-a",
                "system:node:jn-node-b", "system:serviceaccount:kube-system:coredns").doesNotHaveDuplicates();
        assertThat(Files.readAllLines(Lab.HOME.resolve("pki/tokens.csv")).stream().map(l -> l.split(",")[0]).distinct().count())
                .isEqualTo(tokenUsers.size());
    }

    @Test
    @Order(20)
    void downRemovesEveryNamespaceProcessAndRule() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> pidFiles = Files.list(Lab.HOME.resolve("run"))) {
            for (Path f : pidFiles.filter(p -> p.toString().endsWith(".pid")).toList()) {
                pids.add(Long.parseLong(Files.readString(f).strip()));
            }
        }
        Set<String> podPids = new HashSet<>();
        for (String ns : Lab.sh("ip", "netns", "list").stdout().lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith("jn-")).toList()) {
            podPids.addAll(List.of(Lab.sh("ip", "netns", "pids", ns).stdout().split("\\s+")));
        }
        podPids.remove("");
        assertThat(Lab.junction(Duration.ofSeconds(120), "down").exitCode()).isZero();
        assertThat(Lab.sh("ip", "netns", "list").stdout().lines().filter(l -> l.startsWith("jn-"))).isEmpty();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("lab pid %d", pid).isFalse();
        }
        for (String pid : podPids) {
            assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)).as("pod pid %s", pid).isFalse();
        }
        assertThat(Lab.sh("iptables-save").stdout()).doesNotContain("KUBE-");
        assertThat(Files.exists(Path.of("/etc/netns")) ? Files.list(Path.of("/etc/netns")).filter(p -> p.getFileName().toString().startsWith("jn-")).toList() : List.of()).isEmpty();
        // Idempotent.
        assertThat(Lab.junction(Duration.ofSeconds(60), "down").exitCode()).isZero();
    }

    private String clusterIp(String service) {
        return api.services().inNamespace("default").withName(service).get().getSpec().getClusterIP();
    }

    private List<String> readyEndpoints(String service) {
        List<String> ips = new ArrayList<>();
        for (EndpointSlice slice : api.discovery().v1().endpointSlices().inNamespace("default")
                .withLabel("kubernetes.io/service-name", service).list().getItems()) {
            slice.getEndpoints().stream().filter(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()))
                    .forEach(e -> ips.addAll(e.getAddresses()));
        }
        return ips;
    }

    private Set<String> allObjects() {
        Set<String> names = new HashSet<>();
        api.services().inAnyNamespace().list().getItems().forEach(s -> names.add("svc/" + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
        api.pods().inAnyNamespace().list().getItems().forEach(s -> names.add("pod/" + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
        api.apps().deployments().inAnyNamespace().list().getItems().forEach(s -> names.add("deploy/" + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
        api.configMaps().inAnyNamespace().list().getItems().forEach(s -> names.add("cm/" + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
        api.discovery().v1().endpointSlices().inAnyNamespace().list().getItems().forEach(s -> names.add("slice/" + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
        return names;
    }

    /**
     * Requests each pod selected by {@code selector} has logged, from its container log (the stand-in
     * writes one nginx-style access-log line per request to stdout, as nginx's image does).
     */
    private static Map<String, Integer> accessCounts(String selector) {
        String[] kv = selector.split("=");
        Map<String, Integer> counts = new TreeMap<>();
        for (Pod pod : api.pods().inNamespace("default").withLabel(kv[0], kv[1]).list().getItems()) {
            counts.put(pod.getMetadata().getName(), countRequests(pod));
        }
        return counts;
    }

    private static int countRequests(Pod pod) {
        Path nodes = Lab.HOME.resolve("nodes");
        String prefix = pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName() + "_";
        try (Stream<Path> files = Files.walk(nodes)) {
            int n = 0;
            for (Path log : files.filter(p -> p.toString().endsWith(".log") && p.getParent().getFileName().toString().startsWith(prefix)).toList()) {
                n += (int) Files.readAllLines(log).stream().filter(l -> l.contains("\"GET /")).count();
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    private static Map<String, Integer> delta(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, Integer> d = new TreeMap<>();
        after.forEach((pod, n) -> d.put(pod, n - before.getOrDefault(pod, 0)));
        return d;
    }

}
