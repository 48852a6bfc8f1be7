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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's lab acceptance: with seeds 02 and 05 applied, the client host outside the cluster
 * reaches nginx.svc.local and whoami.svc.local through the ingress controller's NodePort, every
 * whoami replica serves, an unknown host gets 404, HTTPS picks the certificate by SNI for two hosts
 * with two Secrets, and HTTP/2 is negotiated with ALPN.
 */
@RequiresRoot(commands = {"iptables-restore", "nsenter", "unshare", "curl", "openssl"})
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
}
