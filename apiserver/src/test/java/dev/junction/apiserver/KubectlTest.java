package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl binary (skipped when absent) against this server with a temporary kubeconfig. */
class KubectlTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    @TempDir
    Path dir;

    record Result(int exit, String out) {
    }

    @Test
    void createGetDeleteFromManifests() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl not installed at " + KUBECTL);
        try (ApiServer server = ApiServer.builder().dataDir(dir.resolve("data")).bindAddress("127.0.0.1").port(0)
                .advertiseAddress("127.0.0.1").build().start()) {
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - cluster: {server: "%s"}
                      name: junction
                    contexts:
                    - context: {cluster: junction, user: junction, namespace: default}
                      name: junction
                    current-context: junction
                    users:
                    - name: junction
                      user: {}
                    """.formatted(server.url()));
            Path manifest = dir.resolve("app.yaml");
            Files.writeString(manifest, """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: web
                    spec:
                      replicas: 2
                      selector:
                        matchLabels: {app: web}
                      template:
                        metadata:
                          labels: {app: web}
                        spec:
                          containers:
                          - name: web
                            image: traefik/whoami:v1.10
                            ports:
                            - containerPort: 80
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: web
                    spec:
                      type: NodePort
                      selector: {app: web}
                      ports:
                      - port: 80
                        targetPort: 80
                    """);
            Result create = kubectl(kubeconfig, "create", "-f", manifest.toString());
            assertThat(create.exit()).as(create.out()).isZero();
            assertThat(create.out()).contains("deployment.apps/web created", "service/web created");

            Result get = kubectl(kubeconfig, "get", "svc,pods,endpoints,endpointslices", "-o", "wide");
            assertThat(get.exit()).as(get.out()).isZero();
            assertThat(get.out()).contains("CLUSTER-IP", "SELECTOR", "service/web", "NodePort", "app=web",
                    "endpoints/kubernetes", "127.0.0.1:6443", "endpointslice.discovery.k8s.io/kubernetes", "ADDRESSTYPE");
            assertThat(get.out()).containsPattern("service/web\\s+NodePort\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+80:3\\d{4}/TCP");

            Result deploy = kubectl(kubeconfig, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}/{.spec.strategy.type}");
            assertThat(deploy.out()).isEqualTo("2/RollingUpdate");

            // kubectl apply of a changed manifest sends a strategic merge patch: lists merge by key
            Files.writeString(manifest, Files.readString(manifest).replace("traefik/whoami:v1.10", "traefik/whoami:v1.11"));
            Result apply = kubectl(kubeconfig, "apply", "-f", manifest.toString());
            assertThat(apply.exit()).as(apply.out()).isZero();
            Result applied = kubectl(kubeconfig, "get", "deploy", "web", "-o",
                    "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}");
            assertThat(applied.out()).isEqualTo("traefik/whoami:v1.11 80");
            Result json = kubectl(kubeconfig, "get", "deploy", "web", "-o", "json");
            assertThat(json.out()).doesNotContain("$setElementOrder");

            Result delete = kubectl(kubeconfig, "delete", "-f", manifest.toString());
            assertThat(delete.exit()).as(delete.out()).isZero();
            assertThat(delete.out()).contains("deployment.apps \"web\" deleted", "service \"web\" deleted");
            assertThat(kubectl(kubeconfig, "get", "svc", "web").out()).contains("NotFound");
        }
    }

    @Test
    void imperativeCommandsSendingProtobufBodies() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl not installed at " + KUBECTL);
        try (ApiServer server = ApiServer.builder().dataDir(dir.resolve("data")).bindAddress("127.0.0.1").port(0)
                .advertiseAddress("127.0.0.1").build().start()) {
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: \"" + server.url()
                    + "\"}\n  name: j\ncontexts:\n- context: {cluster: j, user: u, namespace: default}\n  name: j\n"
                    + "current-context: j\nusers:\n- name: u\n  user: {}\n");
            assertThat(kubectl(kubeconfig, "create", "namespace", "team").out()).contains("namespace/team created");
            assertThat(kubectl(kubeconfig, "create", "configmap", "cfg", "-n", "team", "--from-literal=k=v").out())
                    .contains("configmap/cfg created");
            assertThat(kubectl(kubeconfig, "create", "deployment", "web", "--image=traefik/whoami:v1.10", "--port=80",
                    "--replicas=2").out()).contains("deployment.apps/web created");
            assertThat(kubectl(kubeconfig, "expose", "deployment", "web", "--port=8080", "--target-port=80").out())
                    .contains("service/web exposed");
            assertThat(kubectl(kubeconfig, "get", "cm", "cfg", "-n", "team", "-o", "jsonpath={.data.k}").out()).isEqualTo("v");
            assertThat(kubectl(kubeconfig, "get", "deploy", "web", "-o",
                    "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}").out()).isEqualTo("2 80");
            assertThat(kubectl(kubeconfig, "get", "svc", "web", "-o",
                    "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app}").out()).isEqualTo("8080 80 web");
        }
    }

    private Result kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString(),
                "--request-timeout=30s"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
