package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {

    @Test
    void readsDirectoriesInNameOrderAndAppliesNamespacesFirst(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop}
                """);
        Files.writeString(dir.resolve("a.yml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: web, image: nginx}]}
                """);
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            List<HasMetadata> objects = ManifestLoader.load(client, List.of(dir));
            assertThat(objects).extracting(HasMetadata::getKind).containsExactly("Namespace", "Service", "Deployment");
        }
    }

    @Test
    void loadsTheBundledDnsAndIngressAddonsWithTheirOwnKubeconfigs(@org.junit.jupiter.api.io.TempDir Path home) {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            LabPaths paths = new LabPaths(home);
            List<HasMetadata> addons = UpCommand.addons(client, paths);
            assertThat(addons).extracting(HasMetadata::getKind).startsWith("Namespace").contains("Deployment", "Service", "IngressClass");
            List<String> args = addons.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.apps.Deployment)
                    .map(o -> (io.fabric8.kubernetes.api.model.apps.Deployment) o)
                    .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().stream()).toList();
            assertThat(args).contains("--kubeconfig=" + paths.componentKubeconfig("coredns"), "--kubeconfig=" + paths.componentKubeconfig("ingress"))
                    .noneMatch(a -> a.startsWith("--server="));
        }
    }

    @Test
    void missingPathIsAClearError() {
        assertThatThrownBy(() -> ManifestLoader.files(List.of(Path.of("/nonexistent/x.yaml"))))
                .hasMessage("manifest: /nonexistent/x.yaml (expected: a file or directory)");
    }
}
