package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubectl compatibility suite: the oldest and newest versioned kubectl binaries the Debian
 * package ships ({@code kubectl.1.27}, {@code kubectl.1.33}) against a fresh server, with default
 * {@code --validate=strict} (which needs {@code /openapi/v2} protobuf on 1.27 and OpenAPI v3 on
 * newer versions): client-side apply twice (no-op) and re-apply of a change, server-side apply,
 * create/replace, Table columns, get -w, describe, scale, edit, label, annotate, the three patch
 * types, expose, explain, dry-run=server, selectors, -A, strict field validation and delete --wait.
 */
class KubectlCompatibilityTest {
    static final Path BIN = Path.of("/usr/lib/google-cloud-sdk/bin");

    @TempDir
    Path dir;

    record Result(int exit, String out) {
    }

    @ParameterizedTest(name = "kubectl {0}")
    @ValueSource(strings = {"1.27", "1.33"})
    void everyCommandWorks(String version) throws Exception {
        Path kubectl = BIN.resolve("kubectl." + version);
        assumeTrue(Files.isExecutable(kubectl), "not installed: " + kubectl);
        try (ApiServer server = ApiServer.builder().dataDir(dir.resolve("data")).bindAddress("127.0.0.1").port(0)
                .advertiseAddress("127.0.0.1").build().start()) {
            Path kc = dir.resolve("kubeconfig");
            Files.writeString(kc, "apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: \"" + server.url()
                    + "\"}\n  name: j\ncontexts:\n- context: {cluster: j, user: u, namespace: default}\n  name: j\n"
                    + "current-context: j\nusers:\n- name: u\n  user: {}\n");
            Path app = write("app.yaml", APP.formatted(2, "nginx:1.25"));
            K k = new K(kubectl, kc);

            // client-side apply: create, then a no-op, then only what changed
            assertThat(k.ok("apply", "-f", app.toString())).contains("deployment.apps/web created", "service/web created",
                    "ingress.networking.k8s.io/web created");
            assertThat(k.ok("apply", "-f", app.toString())).contains("deployment.apps/web unchanged", "service/web unchanged",
                    "ingress.networking.k8s.io/web unchanged");
            String rv = k.ok("get", "svc", "web", "-o", "jsonpath={.metadata.resourceVersion}");
            assertThat(k.ok("apply", "-f", write("app2.yaml", APP.formatted(3, "nginx:1.26")).toString()))
                    .contains("deployment.apps/web configured", "service/web unchanged");
            assertThat(k.ok("get", "svc", "web", "-o", "jsonpath={.metadata.resourceVersion}")).isEqualTo(rv);
            assertThat(k.ok("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}"
                    + " {.spec.template.spec.containers[0].ports[0].containerPort}")).isEqualTo("3 nginx:1.26 80");
            assertThat(k.ok("get", "deploy", "web", "-o", "jsonpath={.metadata.annotations}"))
                    .contains("kubectl.kubernetes.io/last-applied-configuration");

            // Table columns
            assertThat(k.ok("get", "svc")).containsPattern("NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE")
                    .containsPattern("web\\s+ClusterIP\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+80/TCP");
            assertThat(k.ok("get", "deploy")).containsPattern("NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE");
            assertThat(k.ok("get", "ingress")).containsPattern("NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE")
                    .containsPattern("web\\s+\\S+\\s+web\\.example\\.com");

            // strict field validation (the default) refuses an unknown field; --validate=false lets it through
            Path typo = write("typo.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n");
            Result strict = k.run("apply", "-f", typo.toString());
            assertThat(strict.exit()).isNotZero();
            assertThat(strict.out()).contains("datta");
            assertThat(k.ok("apply", "--validate=false", "-f", typo.toString())).contains("configmap/typo created");

            // 422 for an invalid object
            Result invalid = k.run("create", "service", "clusterip", "bad", "--tcp=0:80");
            assertThat(invalid.exit()).isNotZero();
            assertThat(invalid.out()).contains("is invalid", "spec.ports[0].port");

            // server-side apply, create, replace, dry-run
            Path cm = write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: \"1\"\n");
            assertThat(k.ok("apply", "--server-side", "-f", cm.toString())).contains("configmap/ssa serverside-applied");
            assertThat(k.ok("apply", "--server-side", "-f", cm.toString())).contains("serverside-applied");
            assertThat(k.ok("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server")).contains("(server dry run)");
            assertThat(k.run("get", "configmap", "dry").out()).contains("NotFound");
            assertThat(k.ok("create", "configmap", "rep", "--from-literal=a=b")).contains("configmap/rep created");
            Path rep = write("rep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rep\ndata:\n  a: c\n");
            assertThat(k.ok("replace", "-f", rep.toString())).contains("configmap/rep replaced");
            assertThat(k.ok("get", "cm", "rep", "-o", "jsonpath={.data.a}")).isEqualTo("c");

            // scale, edit, label, annotate, patch
            assertThat(k.ok("scale", "deploy", "web", "--replicas=4")).contains("deployment.apps/web scaled");
            Path editor = write("editor.sh", "#!/bin/sh\nsed -i 's/replicas: 4/replicas: 5/' \"$1\"\n");
            editor.toFile().setExecutable(true);
            assertThat(k.ok(Map.of("EDITOR", editor.toString(), "KUBE_EDITOR", editor.toString()), "edit", "deploy", "web"))
                    .contains("deployment.apps/web edited");
            assertThat(k.ok("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")).isEqualTo("5");
            assertThat(k.ok("label", "svc", "web", "tier=frontend")).contains("service/web labeled");
            assertThat(k.ok("annotate", "svc", "web", "owner=team-a")).contains("service/web annotate");
            assertThat(k.ok("patch", "svc", "web", "--type=merge", "-p", "{\"spec\":{\"sessionAffinity\":\"ClientIP\"}}"))
                    .contains("patched");
            assertThat(k.ok("patch", "svc", "web", "--type=json", "-p",
                    "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/targetPort\",\"value\":8080}]")).contains("patched");
            assertThat(k.ok("patch", "deploy", "web", "-p",
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}}}"))
                    .contains("patched");
            assertThat(k.ok("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"
                    + " {.spec.template.spec.containers[0].ports[0].containerPort}")).isEqualTo("nginx:1.27 80");
            assertThat(k.ok("get", "svc", "web", "-o", "jsonpath={.spec.sessionAffinity} {.spec.ports[0].targetPort}"
                    + " {.spec.sessionAffinityConfig.clientIP.timeoutSeconds}")).isEqualTo("ClientIP 8080 10800");

            // selectors, -A, expose, describe
            assertThat(k.ok("get", "svc", "-l", "tier=frontend", "-o", "name")).isEqualTo("service/web");
            assertThat(k.ok("get", "svc", "-A", "--field-selector", "metadata.name=kubernetes", "-o", "name"))
                    .isEqualTo("service/kubernetes");
            assertThat(k.ok("get", "ns", "-o", "name")).contains("namespace/kube-system");
            assertThat(k.ok("expose", "deployment", "web", "--name=web2", "--port=8080", "--target-port=80"))
                    .contains("service/web2 exposed");
            assertThat(k.ok("describe", "svc", "web")).contains("Name:", "web", "Selector:", "app=web", "Endpoints:");
            assertThat(k.ok("describe", "ingress", "web")).contains("web.example.com", "web:80");
            assertThat(k.ok("create", "-f", write("pod.yaml", POD).toString())).contains("pod/p1 created");
            assertThat(k.ok("describe", "pod", "p1")).contains("Name:", "p1", "Containers:", "busybox");

            // explain from OpenAPI v3 schemas
            assertThat(k.ok("explain", "service.spec.ports")).contains("ServicePort", "targetPort", "nodePort");
            assertThat(k.ok("explain", "ingress.spec.rules.http.paths")).contains("pathType", "backend");

            // get -w prints the current state and then changes
            Process watch = k.start("get", "cm", "-w", "--request-timeout=8s");
            Thread.sleep(1500);
            k.ok("create", "configmap", "watched", "--from-literal=a=b");
            assertThat(watch.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String watched;
            try (InputStream in = watch.getInputStream()) {
                watched = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(watched).contains("rep", "watched");

            // delete --wait
            assertThat(k.ok("delete", "-f", app.toString(), "--wait=true")).contains("deployment.apps \"web\" deleted");
            assertThat(k.run("get", "deploy", "web").out()).contains("NotFound");
            assertThat(k.ok("delete", "pod", "p1", "--wait=true")).contains("pod \"p1\" deleted");
        }
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** One kubectl binary with one kubeconfig; stdin is /dev/null, every call times out after 60 s. */
    record K(Path kubectl, Path kubeconfig) {
        Result run(String... args) throws Exception {
            return run(Map.of(), args);
        }

        Result run(Map<String, String> env, String... args) throws Exception {
            Process p = start(env, args);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl timed out: " + List.of(args));
            }
            try (InputStream in = p.getInputStream()) {
                return new Result(p.exitValue(), new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        }

        String ok(String... args) throws Exception {
            return ok(Map.of(), args);
        }

        String ok(Map<String, String> env, String... args) throws Exception {
            Result r = run(env, args);
            assertThat(r.exit()).as("kubectl %s: %s", List.of(args), r.out()).isZero();
            return r.out();
        }

        Process start(String... args) throws Exception {
            return start(Map.of(), args);
        }

        Process start(Map<String, String> env, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null"));
            pb.environment().putAll(env);
            return pb.start();
        }
    }

    static final String APP = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: %d
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: web
                    image: %s
                    ports:
                    - containerPort: 80
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              selector: {app: web}
              ports:
              - port: 80
                targetPort: 80
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: web
            spec:
              rules:
              - host: web.example.com
                http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: web
                        port:
                          number: 80
            """;

    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p1
            spec:
              containers:
              - name: c
                image: busybox
                command: ["sleep", "3600"]
            """;
}
