package dev.junction.common;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Builds the fabric8 client every component uses to list and watch the API. Precedence, as for
 * kubectl: an explicit server URL, else an explicit kubeconfig file, else fabric8's auto-configuration
 * ({@code KUBECONFIG}, {@code ~/.kube/config}, then in-cluster service-account environment).
 */
public final class KubeClients {
    private KubeClients() {
    }

    /**
     * @param server     API server URL such as {@code http://172.30.0.10:6443}
     * @param kubeconfig path of a kubeconfig file
     * @throws UncheckedIOException when the kubeconfig cannot be read
     */
    public static KubernetesClient create(Optional<String> server, Optional<Path> kubeconfig) {
        Config config;
        if (server.isPresent()) {
            config = new ConfigBuilder(Config.empty()).withMasterUrl(server.get()).withTrustCerts(true)
                    .withRequestTimeout(30_000).withConnectionTimeout(5_000).build();
        } else if (kubeconfig.isPresent()) {
            try {
                config = Config.fromKubeconfig(Files.readString(kubeconfig.get()));
            } catch (IOException e) {
                throw new UncheckedIOException("kubeconfig: " + kubeconfig.get(), e);
            }
        } else {
            config = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
