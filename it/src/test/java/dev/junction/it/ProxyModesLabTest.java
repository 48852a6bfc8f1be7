package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.cni.PodNetns;
import dev.junction.common.CommandResult;
import dev.junction.testing.RequiresRoot;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4's lab acceptance on real netfilter, once per proxy mode: ClusterIP by name, NodePort from
 * the client host, a Service without endpoints refused at once, ClientIP session affinity (100
 * requests, one pod), externalTrafficPolicy Local keeping the client's source IP, externalIPs,
 * internalTrafficPolicy Local, endpoint churn (scale 3 → 1 → 3) under a curl loop, a backend killed
 * mid-load in userspace mode, and rules repaired after someone flushes them by hand.
 */
@RequiresRoot(commands = {"iptables-restore", "nft", "nsenter", "unshare", "curl", "nslookup"})
class ProxyModesLabTest {
    private static final String CLIENT_IP = "172.30.0.100";
    /** An externalIP from TEST-NET-1 (RFC 5737), routed to node a inside the client host's netns only. */
    private static final String EXTERNAL_IP = "192.0.2.10";

    @ParameterizedTest(name = "--proxy-mode {0}")
    @ValueSource(strings = {"iptables", "nftables", "userspace"})
    void serviceTypesAndPoliciesWorkInEveryMode(String mode) throws Exception {
        Lab.junction(Duration.ofSeconds(120), "down");
        try {
            CommandResult up = Lab.junction(Duration.ofSeconds(400), "up", "--proxy-mode", mode,
                    "-f", Lab.seeds("01-my-nginx.yaml").toString(), "-f", Lab.seeds("02-service-types.yaml").toString());
            assertThat(up.exitCode()).as("up: %s", up.stderr()).isZero();
            try (KubernetesClient api = Lab.client()) {
                checks(mode, api);
            }
        } finally {
            assertThat(Lab.junction(Duration.ofSeconds(120), "down").exitCode()).isZero();
        }
    }

    private void checks(String mode, KubernetesClient api) throws Exception {
        // ClusterIP by name from a pod, NodePort from outside the cluster.
        assertThat(Lab.exec("curl", "curl", "-s", "-m", "5", "http://my-nginx").stdout()).contains("Welcome to nginx!");
        assertThat(Lab.client("curl", "-s", "-m", "5", "http://172.30.0.11:32600").stdout()).contains("Welcome to nginx!");

        // A Service without endpoints is refused immediately (REJECT / no listener), not left to time out.
        api.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("no-endpoints").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "nothing-matches")).addNewPort().withPort(80).endPort().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            CommandResult refused = Lab.exec("curl", "curl", "-s", "-m", "5", "http://no-endpoints");
            // iptables/nftables REJECT (curl 7); the userspace proxy, as upstream's, accepts and closes (52/56).
            assertThat(refused.exitCode()).as("curl exit code (7 = refused, 52/56 = closed, 28 = timed out)")
                    .isIn(mode.equals("userspace") ? List.of(7, 52, 56) : List.of(7));
        });

        // ClientIP session affinity: 100 requests from one client reach one pod.
        api.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("sticky").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "nginx")).withSessionAffinity("ClientIP").addNewPort().withPort(80).endPort()
                .endSpec().build()).create();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(Lab.exec("curl", "curl", "-s", "-m", "2", "http://sticky").stdout()).contains("Welcome to nginx!"));
        Map<String, Integer> before = accessCounts(api, "app", "nginx", null);
        CommandResult hundred = Lab.exec("curl", "sh", "-c", "for i in $(seq 1 100); do curl -s -m 5 -o /dev/null -w '%{http_code}\\n' http://sticky; done");
        assertThat(hundred.stdout().lines().filter("200"::equals).count()).isEqualTo(100);
        Map<String, Integer> served = delta(before, accessCounts(api, "app", "nginx", null));
        System.out.println("REPORT: " + mode + ": 100 requests with sessionAffinity ClientIP per pod: " + served);
        assertThat(served.values().stream().filter(n -> n > 0).count()).as("pods that served").isEqualTo(1);

        // externalTrafficPolicy Local: the pod sees the client host's own address, not a node's
        // (iptables and nftables; the userspace proxy always connects from the node, as upstream's did).
        if (!mode.equals("userspace")) {
            externalTrafficPolicyLocalKeepsClientIp(api);
        }

        externalIpsReachAnEndpoint(api);
        internalTrafficPolicyLocalStaysOnTheNode(mode, api);
        scaleThreeToOneToThreeLosesNoRequestAfterTheRulesFollow(mode, api);
        if (mode.equals("userspace")) {
            killedBackendIsRetriedOnTheNextEndpoint(api);
        }

        flushedRulesAreRepaired(mode);
    }

    /**
     * externalIPs: traffic to an address the cluster does not own, routed to a node by the network
     * (here: a route in the client host's netns only), reaches an endpoint; so does a pod's traffic to it.
     */
    private void externalIpsReachAnEndpoint(KubernetesClient api) {
        api.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("external").endMetadata()
                .withNewSpec().withSelector(Map.of("run", "my-nginx")).withExternalIPs(EXTERNAL_IP).addNewPort().withPort(80).endPort()
                .endSpec().build()).create();
        CommandResult route = Lab.client("ip", "route", "replace", EXTERNAL_IP + "/32", "via", "172.30.0.11");
        assertThat(route.exitCode()).as(route.stderr()).isZero();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(Lab.client("curl", "-s", "-m", "2", "http://" + EXTERNAL_IP).stdout()).contains("Welcome to nginx!"));
            assertThat(Lab.exec("curl", "curl", "-s", "-m", "5", "http://" + EXTERNAL_IP).stdout()).contains("Welcome to nginx!");
        } finally {
            Lab.client("ip", "route", "del", EXTERNAL_IP + "/32");
        }
    }

    /**
     * internalTrafficPolicy Local (KEP-2086): from a pod, only endpoints on the pod's own node serve;
     * when the node has none while other nodes do, the traffic is dropped (upstream
     * pkg/proxy/iptables/proxier.go: internalTrafficFilterTarget DROP unless the Service has no
     * endpoints anywhere, which REJECTs).
     */
    private void internalTrafficPolicyLocalStaysOnTheNode(String mode, KubernetesClient api) throws IOException {
        String curlNode = api.pods().inNamespace("default").withName("curl").get().getSpec().getNodeName();
        String otherNode = api.nodes().list().getItems().stream().map(n -> n.getMetadata().getName())
                .filter(n -> !n.equals(curlNode) && !n.endsWith("-cp")).findFirst().orElseThrow();
        createPinnedPod(api, "itp-local", curlNode, "local");
        createPinnedPod(api, "itp-remote", otherNode, "remote");
        createLocalService(api, "itp", Map.of("itp", "yes"));
        createLocalService(api, "itp-remote-only", Map.of("itp", "yes", "itp-where", "remote"));
        api.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("itp-remote-np").endMetadata()
                .withNewSpec().withType("NodePort").withInternalTrafficPolicy("Local").withSelector(Map.of("itp", "yes", "itp-where", "remote"))
                .addNewPort().withPort(80).endPort().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(Lab.exec("curl", "curl", "-s", "-m", "2", "http://itp").stdout()).contains("Welcome to nginx!"));
        await().atMost(Duration.ofSeconds(30)).until(() -> readyAddresses(api, "itp").size() == 2);
        Map<String, Integer> before = accessCounts(api, "itp", "yes", null);
        CommandResult twenty = Lab.exec("curl", "sh", "-c", "for i in $(seq 1 20); do curl -s -m 5 -o /dev/null -w '%{http_code}\\n' http://itp; done");
        assertThat(twenty.stdout().lines().filter("200"::equals).count()).isEqualTo(20);
        Map<String, Integer> served = delta(before, accessCounts(api, "itp", "yes", null));
        System.out.println("REPORT: " + mode + ": internalTrafficPolicy Local, 20 requests from " + curlNode + " per pod: " + served);
        assertThat(served).containsEntry("itp-local", 20).containsEntry("itp-remote", 0);
        // Endpoints exist, but none on this node: upstream renders DROP "has no local endpoints"
        // (hasAnyEndpoints counts every node's endpoints; REJECT is only for no endpoints at all), so
        // curl times out (28), for a ClusterIP-only and for a NodePort Service alike. Until the remote
        // pod's endpoint reaches this node's rules the Service has no endpoints at all (REJECT, 7).
        for (String service : List.of("itp-remote-only", "itp-remote-np")) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                CommandResult remote = Lab.exec("curl", "curl", "-s", "-m", "2", "http://" + service);
                assertThat(remote.stdout()).doesNotContain("Welcome to nginx!");
                // The userspace proxy has no usable endpoint: it accepts and closes, like upstream's.
                assertThat(remote.exitCode()).as(service).isIn(mode.equals("userspace") ? List.of(7, 28, 52, 56) : List.of(28));
            });
        }
    }

    /**
     * Endpoint churn under a curl loop (one request every 50 ms from a pod): scale the Deployment
     * 3 → 1 → 3. Requests may fail only between the scale-down and the moment every node's proxy has
     * synced the new EndpointSlice (junction_sync_proxy_rules_last_snapshot_timestamp_seconds on each node);
     * none may fail after that, through the scale-up too.
     */
    private void scaleThreeToOneToThreeLosesNoRequestAfterTheRulesFollow(String mode, KubernetesClient api) throws Exception {
        String vip = api.services().inNamespace("default").withName("nginx-deploy-clusterip-svc").get().getSpec().getClusterIP();
        // 120 s: "synced" means a sync of every proxy after the state was observed; when a proxy had
        // already applied the last change by then, that is its next periodic sync (syncPeriod 30 s),
        // once after the scale-down and once after the scale-up; requests must remain after both
        Process loop = curlLoop("http://" + vip + ":8080", 120);
        Thread.sleep(2000);
        long scaleDown = System.currentTimeMillis();
        assertThat(Lab.kubectl("scale", "deployment", "nginx-deployment", "--replicas=1").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> readyAddresses(api, "nginx-deploy-clusterip-svc").size() == 1 && !hasTerminating(api, "nginx-deploy-clusterip-svc"));
        long rulesAfterDown = proxiesSyncedSince(System.currentTimeMillis());
        Thread.sleep(3000);
        long scaleUp = System.currentTimeMillis();
        assertThat(Lab.kubectl("scale", "deployment", "nginx-deployment", "--replicas=3").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> readyAddresses(api, "nginx-deploy-clusterip-svc").size() == 3);
        long rulesAfterUp = proxiesSyncedSince(System.currentTimeMillis());
        List<Sample> samples = samples(loop);
        long failedBefore = samples.stream().filter(s -> s.sent() >= scaleDown && s.sent() <= rulesAfterDown && s.failed()).count();
        List<String> failedAfter = samples.stream().filter(s -> s.sent() > rulesAfterDown && s.failed()).map(s -> s.describe(scaleDown)).toList();
        long after = samples.stream().filter(s -> s.sent() > rulesAfterDown).count();
        long afterUp = samples.stream().filter(s -> s.sent() > rulesAfterUp).count();
        long slowestAfter = samples.stream().filter(s -> s.sent() > rulesAfterDown && !s.failed()).mapToLong(Sample::tookMs).max().orElse(0);
        System.out.printf("REPORT: %s: curl loop during scale 3->1->3: %d requests; %d failed between scale-down and rules synced (%d ms),"
                + " %d failed of %d after (scale-up at +%d ms, synced +%d ms, %d requests after that; slowest served after: %d ms)%s%n", mode,
                samples.size(), failedBefore, rulesAfterDown - scaleDown, failedAfter.size(), after, scaleUp - scaleDown,
                rulesAfterUp - scaleDown, afterUp, slowestAfter, failedAfter.isEmpty() ? "" : ": " + failedAfter);
        assertThat(afterUp).as("requests after the scale-up was synced").isPositive();
        assertThat(failedAfter).isEmpty();
    }

    /**
     * userspace mode: a backend whose process is SIGKILLed mid-load refuses connections until its
     * endpoint is withdrawn; the proxy retries the next endpoint (upstream userspace
     * {@code tryConnect}), so no request fails.
     */
    private void killedBackendIsRetriedOnTheNextEndpoint(KubernetesClient api) throws Exception {
        String vip = api.services().inNamespace("default").withName("nginx-deploy-clusterip-svc").get().getSpec().getClusterIP();
        Pod victim = api.pods().inNamespace("default").withLabel("app", "nginx").list().getItems().get(0);
        Process loop = curlLoop("http://" + vip + ":8080", 12);
        Thread.sleep(2000);
        String netns = PodNetns.name("default", victim.getMetadata().getName());
        List<String> pids = Lab.sh("ip", "netns", "pids", netns).stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertThat(pids).as("processes in " + netns).isNotEmpty();
        long killed = System.currentTimeMillis();
        for (String pid : pids) {
            Lab.sh("kill", "-KILL", pid);
        }
        long killDone = System.currentTimeMillis();
        List<Sample> samples = samples(loop);
        long afterKill = samples.stream().filter(s -> s.sent() >= killed).count();
        List<String> failed = samples.stream().filter(Sample::failed).map(s -> s.describe(killed)).toList();
        System.out.printf("REPORT: userspace: backend %s SIGKILLed mid-load (kill took %d ms): %d requests (%d after the kill), failed: %s%n",
                victim.getMetadata().getName(), killDone - killed, samples.size(), afterKill, failed);
        assertThat(afterKill).isPositive();
        // Without the retry, every third connect after the kill would be refused until the endpoint is
        // withdrawn (seconds: dozens of requests). A request already inside the dying backend (or in its
        // accept queue, which the kernel resets when the listener dies) cannot be retried, upstream
        // neither: at most that one may fail, and only at the moment of the kill: in flight then (sent
        // before the kill ended, up to 1 s late for the loop's clock, and still running when it began;
        // a CI run's failure was sent 7 ms before the kill and ended 5 ms after it).
        assertThat(failed.size()).as("failed requests: %s", failed).isLessThanOrEqualTo(1);
        assertThat(samples.stream().filter(Sample::failed).allMatch(s -> s.sent() <= killDone + 1000 && s.sent() + s.tookMs() >= killed - 50))
                .as("failures only at the kill: %s", failed).isTrue();
    }

    private static void createPinnedPod(KubernetesClient api, String name, String node, String where) {
        api.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of("itp", "yes", "itp-where", where)).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("nginx").withImage("nginx").addNewPort().withContainerPort(80)
                .endPort().endContainer().endSpec().build()).create();
    }

    private static void createLocalService(KubernetesClient api, String name, Map<String, String> selector) {
        api.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withInternalTrafficPolicy("Local").withSelector(selector).addNewPort().withPort(80).endPort()
                .endSpec().build()).create();
    }

    /**
     * One curl every 50 ms from the curl pod for {@code seconds}; each output line "<epoch ms when the
     * request was sent> <http code> <curl exit code> <time_total s>" (the send time: a request sent
     * before the rules changed may time out after they did). The 5-s limit is far above a served
     * request (milliseconds) and still catches a request sent to an endpoint that is gone, which is
     * refused (exit 7) or never answered (exit 28); a freshly started backend JVM can take a second
     * or more for its first request on a loaded 2-core machine, which is not the proxy's failure.
     */
    private static Process curlLoop(String url, int seconds) throws IOException {
        return new ProcessBuilder("ip", "netns", "exec", PodNetns.name("default", "curl"), "sh", "-c",
                "end=$(( $(date +%s) + " + seconds + " )); while [ $(date +%s) -lt $end ]; do "
                        + "t=$(date +%s%3N); c=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{time_total}' " + url + "); "
                        + "x=$?; set -- $c; echo \"$t $1 $x $2\"; sleep 0.05; done")
                .redirectErrorStream(true).start();
    }

    /**
     * One request of a curl loop.
     *
     * @param sent   epoch ms when it was sent
     * @param http   HTTP status, 0 when none arrived
     * @param exit   curl's exit code (7 refused, 28 timed out, 52 empty reply…)
     * @param tookMs curl's time_total in ms
     */
    private record Sample(long sent, long http, long exit, long tookMs) {
        boolean failed() {
            return http != 200;
        }

        /** For a report: when it was sent relative to {@code origin}, its codes and duration. */
        String describe(long origin) {
            return String.format("+%d ms: http %d, curl exit %d, %d ms", sent - origin, http, exit, tookMs);
        }
    }

    /** The loop's samples; lines that are not samples are skipped. */
    private static List<Sample> samples(Process loop) throws Exception {
        String output = new String(loop.getInputStream().readAllBytes());
        loop.waitFor();
        return output.lines().map(l -> l.split(" ")).filter(a -> a.length == 4 && a[0].matches("\\d+") && a[1].matches("\\d+")
                        && a[2].matches("\\d+") && a[3].matches("[0-9.]+"))
                .map(a -> new Sample(Long.parseLong(a[0]), Long.parseLong(a[1]), Long.parseLong(a[2]),
                        Math.round(Double.parseDouble(a[3]) * 1000))).toList();
    }

    /** Ready endpoint addresses of a Service, from its EndpointSlices. */
    private static List<String> readyAddresses(KubernetesClient api, String service) {
        return api.discovery().v1().endpointSlices().inNamespace("default").withLabel("kubernetes.io/service-name", service).list()
                .getItems().stream().flatMap(s -> s.getEndpoints().stream())
                .filter(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()))
                .flatMap(e -> e.getAddresses().stream()).toList();
    }

    private static boolean hasTerminating(KubernetesClient api, String service) {
        return api.discovery().v1().endpointSlices().inNamespace("default").withLabel("kubernetes.io/service-name", service).list()
                .getItems().stream().flatMap(s -> s.getEndpoints().stream())
                .anyMatch(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getTerminating()));
    }

    /**
     * Waits until the proxy on every node finished a sync whose snapshot was taken at least 500 ms after
     * {@code since} (epoch ms), read from {@code junction_sync_proxy_rules_last_snapshot_timestamp_seconds}
     * on the node's metrics port.
     *
     * @return the time (epoch ms) when the last node had synced
     */
    private static long proxiesSyncedSince(long since) {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (String node : List.of("jn-node-cp", "jn-node-a", "jn-node-b")) {
                String metrics = Lab.sh("ip", "netns", "exec", node, "curl", "-s", "-m", "2", "http://127.0.0.1:10249/metrics").stdout();
                // The snapshot time of the last sync, not its end: a slow sync (iptables-restore under load)
                // that ends after `since` may have taken its snapshot before the change (a CI failure).
                // 500 ms more for the proxy's watch to deliver what the test already listed.
                double last = metrics.lines().filter(l -> l.startsWith("junction_sync_proxy_rules_last_snapshot_timestamp_seconds "))
                        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(0);
                if (last * 1000 < since + 500) {
                    return false;
                }
            }
            return true;
        });
        return System.currentTimeMillis();
    }

    private void externalTrafficPolicyLocalKeepsClientIp(KubernetesClient api) throws IOException {
        api.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("local-policy").endMetadata()
                .withNewSpec().withType("NodePort").withExternalTrafficPolicy("Local").withSelector(Map.of("app", "nginx"))
                .addNewPort().withPort(80).withNodePort(31080).endPort().endSpec().build()).create();
        String nodeWithPod = api.pods().inNamespace("default").withLabel("app", "nginx").list().getItems().get(0).getStatus().getHostIP();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(Lab.client("curl", "-s", "-m", "2", "http://" + nodeWithPod + ":31080").stdout()).contains("Welcome to nginx!"));
        Map<String, Integer> fromClient = accessCounts(api, "app", "nginx", CLIENT_IP);
        assertThat(fromClient.values().stream().mapToInt(Integer::intValue).sum()).as("requests logged with the client's source IP")
                .isPositive();
    }

    private void flushedRulesAreRepaired(String mode) {
        // Somebody flushes the proxy's rules by hand: repaired by the next full sync, within syncPeriod (30 s)
        // when no Service or endpoint changes, within 2 x syncPeriod under churn (userspace mode checks its
        // jumps on full syncs only: proxy-userspace/README.md), hence 75 s.
        String node = "jn-node-a";
        CommandResult flush = switch (mode) {
            case "nftables" -> Lab.sh("ip", "netns", "exec", node, "nft", "flush", "table", "ip", "kube-proxy");
            default -> Lab.sh("ip", "netns", "exec", node, "iptables", "-t", "nat", "-F");
        };
        assertThat(flush.exitCode()).as(flush.stderr()).isZero();
        await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(Lab.client("curl", "-s", "-m", "2", "http://172.30.0.11:32600").stdout()).contains("Welcome to nginx!"));
        await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(Lab.exec("curl", "curl", "-s", "-m", "2", "http://my-nginx").stdout()).contains("Welcome to nginx!"));
    }

    /** Access-log lines per pod (optionally only those from {@code remote}). */
    private static Map<String, Integer> accessCounts(KubernetesClient api, String key, String value, String remote) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (Pod pod : api.pods().inNamespace("default").withLabel(key, value).list().getItems()) {
            String prefix = "default_" + pod.getMetadata().getName() + "_";
            int n = 0;
            try (Stream<Path> files = Files.walk(Lab.HOME.resolve("nodes"))) {
                for (Path log : files.filter(p -> p.toString().endsWith(".log") && p.getParent().getFileName().toString().startsWith(prefix)).toList()) {
                    n += (int) Files.readAllLines(log).stream().filter(l -> l.contains("\"GET /") && (remote == null || l.startsWith(remote + " "))).count();
                }
            }
            counts.put(pod.getMetadata().getName(), n);
        }
        return counts;
    }

    private static Map<String, Integer> delta(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, Integer> d = new TreeMap<>();
        after.forEach((pod, n) -> d.put(pod, n - before.getOrDefault(pod, 0)));
        return d;
    }

}
