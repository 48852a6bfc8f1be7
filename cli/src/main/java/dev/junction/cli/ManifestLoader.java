package dev.junction.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads manifests from files and directories ({@code .yaml}, {@code .yml}, {@code .json}, in name
 * order, multi-document YAML included) and orders them as {@code kubectl apply} users expect to see
 * them take effect: Namespaces first, then configuration, Services, then workloads.
 */
final class ManifestLoader {
    private static final List<String> KIND_ORDER = List.of(
            "Namespace", "ServiceAccount", "Secret", "ConfigMap", "IngressClass", "NetworkPolicy",
            "Service", "Endpoints", "EndpointSlice", "Deployment", "ReplicaSet", "Pod", "Ingress");

    private ManifestLoader() {
    }

    /**
     * @return every object in the given files and directories, in apply order
     * @throws UncheckedIOException when a file cannot be read
     * @throws IllegalArgumentException when a path does not exist
     */
    static List<HasMetadata> load(KubernetesClient client, List<Path> paths) {
        List<HasMetadata> objects = new ArrayList<>();
        for (Path file : files(paths)) {
            try (InputStream in = Files.newInputStream(file)) {
                objects.addAll(client.load(in).items());
            } catch (IOException e) {
                throw new UncheckedIOException(file.toString(), e);
            }
        }
        objects.removeIf(o -> o == null);
        objects.sort(Comparator.comparingInt(ManifestLoader::rank));
        return objects;
    }

    static List<Path> files(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> stream = Files.list(path)) {
                    stream.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(path.toString(), e);
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new IllegalArgumentException("manifest: " + path + " (expected: a file or directory)");
            }
        }
        return files;
    }

    private static int rank(HasMetadata object) {
        int index = KIND_ORDER.indexOf(object.getKind());
        return index < 0 ? KIND_ORDER.size() : index;
    }
}
