package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandResult;
import dev.junction.testing.RequiresRoot;
import io.fabric8.kubernetes.api.model.Pod;
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
 * requests, one pod), externalTrafficPolicy Local keeping the client's source IP, and rules
 * repaired after someone flushes them by hand.
 */
@RequiresRoot(commands = {"iptables-restore", "nft", "nsenter", "unshare", "curl", "nslookup"})
class ProxyModesLabTest {
    private static final String CLIENT_IP = "172.30.0.100";

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

        flushedRulesAreRepaired(mode);
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
        // Somebody flushes the proxy's rules by hand: repaired within syncPeriod (30 s).
        String node = "jn-node-a";
        CommandResult flush = switch (mode) {
            case "nftables" -> Lab.sh("ip", "netns", "exec", node, "nft", "flush", "table", "ip", "kube-proxy");
            default -> Lab.sh("ip", "netns", "exec", node, "iptables", "-t", "nat", "-F");
        };
        assertThat(flush.exitCode()).as(flush.stderr()).isZero();
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(Lab.client("curl", "-s", "-m", "2", "http://172.30.0.11:32600").stdout()).contains("Welcome to nginx!"));
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
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
