package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandResult;
import dev.junction.testing.RequiresRoot;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's lab acceptance: with seeds 02 and 05 applied, the client host outside the cluster
 * reaches nginx.svc.local and whoami.svc.local through the ingress controller's NodePort, every
 * whoami replica serves, an unknown host gets 404, HTTPS picks the certificate by SNI for two hosts
 * with two Secrets, HTTP/2 is negotiated with ALPN, and a WebSocket stays open while Ingresses and
 * endpoints change.
 */
@RequiresRoot(commands = {"iptables-restore", "nsenter", "unshare", "curl", "openssl", "python3"})
@TestMethodOrder(MethodOrderer.MethodName.class)
class IngressLabTest {
    private static final String NODE = "172.30.0.11";
    private static KubernetesClient api;

    @BeforeAll
    static void up() {
        Lab.junction(Duration.ofSeconds(120), "down");
        CommandResult up = Lab.junction(Duration.ofSeconds(400), "up",
                "-f", Lab.seeds("02-service-types.yaml").toString(), "-f", Lab.seeds("05-ingress.yaml").toString());
        assertThat(up.exitCode()).as("up: %s", up.stderr()).isZero();
        api = Lab.client();
    }

    @AfterAll
    static void down() {
        if (api != null) {
            api.close();
        }
        Lab.junction(Duration.ofSeconds(120), "down");
    }

    private static CommandResult curl(String host, String... extra) {
        String[] argv = new String[extra.length + 6];
        argv[0] = "curl";
        argv[1] = "-s";
        argv[2] = "-m";
        argv[3] = "5";
        argv[4] = "--resolve";
        argv[5] = host + ":30080:" + NODE;
        System.arraycopy(extra, 0, argv, 6, extra.length);
        return Lab.client(argv);
    }

    @Test
    void hostsRouteToTheirServicesAndEveryReplicaServes() {
        assertThat(curl("nginx.svc.local", "http://nginx.svc.local:30080/").stdout()).contains("Welcome to nginx!");
        CommandResult many = Lab.client("sh", "-c", "for i in $(seq 1 30); do curl -s -m 5 --resolve whoami.svc.local:30080:" + NODE
                + " http://whoami.svc.local:30080/ | grep '^Hostname:'; done");
        Set<String> hostnames = many.stdout().lines().collect(Collectors.toSet());
        System.out.println("REPORT: whoami replicas seen through the ingress in 30 requests: " + hostnames);
        assertThat(hostnames).hasSize(3);
        CommandResult whoami = curl("whoami.svc.local", "http://whoami.svc.local:30080/path?q=1");
        // externalTrafficPolicy Cluster (the NodePort default) SNATs the client to the node, so X-Forwarded-For names the node side.
        assertThat(whoami.stdout()).contains("GET /path?q=1 HTTP/1.1").containsIgnoringCase("X-Forwarded-For: ").containsIgnoringCase("X-Forwarded-Host: whoami.svc.local");
        assertThat(curl("unknown.svc.local", "-o", "/dev/null", "-w", "%{http_code}", "http://unknown.svc.local:30080/").stdout()).isEqualTo("404");
    }

    @Test
    void httpsChoosesTheCertificateBySniAndNegotiatesHttp2(@TempDir Path dir) throws Exception {
        for (String host : new String[] {"a.tls.local", "b.tls.local"}) {
            CommandResult gen = Lab.sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + host,
                    "-addext", "subjectAltName=DNS:" + host, "-keyout", dir.resolve(host + ".key").toString(), "-out", dir.resolve(host + ".crt").toString());
            assertThat(gen.exitCode()).as(gen.stderr()).isZero();
            api.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName(host.replace('.', '-')).endMetadata()
                    .withType("kubernetes.io/tls").withData(Map.of(
                            "tls.crt", Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(host + ".crt"))),
                            "tls.key", Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(host + ".key"))))).build()).create();
        }
        api.network().v1().ingresses().inNamespace("default").resource(new IngressBuilder().withNewMetadata().withName("tls").endMetadata()
                .withNewSpec().withIngressClassName("nginx")
                .addNewTl().withHosts("a.tls.local").withSecretName("a-tls-local").endTl()
                .addNewTl().withHosts("b.tls.local").withSecretName("b-tls-local").endTl()
                .addNewRule().withHost("a.tls.local").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName("whoami").withNewPort().withNumber(8080).endPort().endService().endBackend()
                .endPath().endHttp().endRule()
                .addNewRule().withHost("b.tls.local").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName("nginx-deploy-clusterip-svc").withNewPort().withNumber(8080).endPort().endService().endBackend()
                .endPath().endHttp().endRule()
                .endSpec().build()).create();
        for (String host : new String[] {"a.tls.local", "b.tls.local"}) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                CommandResult r = Lab.client("curl", "-sv", "-m", "5", "--http2", "--cacert", dir.resolve(host + ".crt").toString(),
                        "--resolve", host + ":30443:" + NODE, "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "https://" + host + ":30443/");
                assertThat(r.stdout()).as(r.stderr()).isEqualTo("2 200");
                assertThat(r.stderr()).contains("CN=" + host);
            });
        }
    }

    /**
     * A WebSocket through the ingress (whoami's {@code /echo}) keeps echoing while an Ingress is
     * created, an existing one is changed, the backend Deployment scales 3 → 5 (new endpoints) and
     * the new Ingress is deleted again: route tables are swapped in-process, open connections untouched.
     */
    @Test
    void webSocketStaysOpenWhileIngressesAndEndpointsChange(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("ws-echo-client.py");
        try (var in = IngressLabTest.class.getResourceAsStream("/ws-echo-client.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process ws = new ProcessBuilder("ip", "netns", "exec", "jn-client", "python3", script.toString(), NODE, "30080",
                "whoami.svc.local", "/echo", "25").redirectErrorStream(true).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(ws.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("WebSocket handshake through the ingress").isEqualTo("open");
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> out.lines().forEach(l -> log.append(l).append('\n')));
        reader.start();

        api.network().v1().ingresses().inNamespace("default").resource(new IngressBuilder().withNewMetadata().withName("ws-extra").endMetadata()
                .withNewSpec().withIngressClassName("nginx").addNewRule().withHost("extra.svc.local").withNewHttp().addNewPath().withPath("/")
                .withPathType("Prefix").withNewBackend().withNewService().withName("whoami").withNewPort().withNumber(8080).endPort()
                .endService().endBackend().endPath().endHttp().endRule().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(curl("extra.svc.local", "http://extra.svc.local:30080/").stdout()).contains("Hostname:"));
        api.network().v1().ingresses().inNamespace("default").withName("default-ingress").edit(i -> {
            i.getSpec().getRules().get(0).getHttp().getPaths().add(new io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder()
                    .withPath("/ws-added").withPathType("Exact").withNewBackend().withNewService().withName("whoami").withNewPort()
                    .withNumber(8080).endPort().endService().endBackend().build());
            return i;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(curl("nginx.svc.local", "http://nginx.svc.local:30080/ws-added").stdout()).contains("Hostname:"));
        assertThat(Lab.kubectl("scale", "deployment", "whoami", "--replicas=5").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(90)).until(() -> api.pods().inNamespace("default").withLabel("app", "whoami").list().getItems()
                .stream().filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))).count() == 5);
        api.network().v1().ingresses().inNamespace("default").withName("ws-extra").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(curl("extra.svc.local", "-o", "/dev/null", "-w", "%{http_code}",
                "http://extra.svc.local:30080/").stdout()).isEqualTo("404"));

        assertThat(ws.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        String lines = log.toString();
        long echoed = lines.lines().filter(l -> l.startsWith("ok ")).count();
        System.out.printf("REPORT: WebSocket through the ingress across 2 Ingress changes, an Ingress delete and whoami 3->5: %d messages echoed,"
                + " exit %d%n", echoed, ws.exitValue());
        assertThat(lines).as(lines).doesNotContain("fail").contains("done " + echoed);
        assertThat(ws.exitValue()).isZero();
        assertThat(echoed).isGreaterThan(50);
        assertThat(Lab.kubectl("scale", "deployment", "whoami", "--replicas=3").exitCode()).isZero();
    }
}
