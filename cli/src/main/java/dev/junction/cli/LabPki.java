package dev.junction.cli;

import static java.util.Objects.requireNonNull;

import dev.junction.apiserver.ClusterCa;
import dev.junction.apiserver.TokenAuthenticator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's security material, created by {@code junction up} the way kubeadm's {@code init phase
 * certs} and {@code kubeconfig} phases do (kubernetes {@code cmd/kubeadm/app/phases/certs},
 * {@code .../kubeconfig}): a cluster CA, the API server's serving certificate (SANs: 127.0.0.1, the
 * control-plane node's address, the {@code kubernetes} Service's ClusterIP and DNS names), a static
 * token file with one bearer token per component (kube-apiserver {@code --token-auth-file}
 * format), and one kubeconfig per component carrying the CA and its own token.
 *
 * <p>User names follow upstream's: {@code admin} (group {@code system:masters}, the kubeconfig a
 * user gets), {@code system:kube-controller-manager}, {@code system:node:<node>} and
 * {@code system:serviceaccount:<ns>:<name>} for the add-on pods. Pods get their kubeconfig as a file
 * path in their args, the lab's stand-in for the projected ServiceAccount token volume.
 */
final class LabPki {
    /** The add-on components that run as pods, with the ServiceAccount identity their token names. */
    static final Map<String, String> ADDON_USERS = Map.of(
            "coredns", "system:serviceaccount:kube-system:coredns",
            "ingress", "system:serviceaccount:ingress-junction:ingress-junction-controller");

    private LabPki() {
    }

    /**
     * Creates (once) the CA, serving certificate, token file and every kubeconfig of {@code topology}.
     *
     * @throws UncheckedIOException when a file cannot be written
     */
    static void create(LabPaths paths, LabTopology topology) {
        create(paths, topology, topology.apiServerUrl());
    }

    /**
     * As {@link #create(LabPaths, LabTopology)}, with the node agents' kubeconfigs pointing at
     * {@code nodeServer} (the second API server in a two-API-server lab).
     */
    static void create(LabPaths paths, LabTopology topology, String nodeServer) {
        requireNonNull(paths, "paths");
        requireNonNull(topology, "topology");
        ClusterCa ca = ClusterCa.ensure(paths.pki(), List.of(topology.controlPlane().ip(), LabTopology.KUBERNETES_SERVICE_IP));
        Map<String, String> users = new LinkedHashMap<>();
        users.put("admin", "admin");
        users.put("controllers", "system:kube-controller-manager");
        for (LabNode node : topology.nodes()) {
            users.put("node-" + node.name(), "system:node:" + node.name());
        }
        users.putAll(ADDON_USERS);
        TokenAuthenticator tokens = TokenAuthenticator.ensure(tokenFile(paths), new ArrayList<>(users.values()));
        String caPem;
        try {
            caPem = Files.readString(ca.caCertificate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String internal = topology.apiServerUrl();
        for (var e : users.entrySet()) {
            String token = tokens.tokenOf(e.getValue()).orElseThrow(() -> new IllegalStateException("no token for " + e.getValue()));
            if (e.getKey().equals("admin")) {
                Kubeconfig.write(paths.kubeconfig(), "https://127.0.0.1:" + LabTopology.API_PORT, caPem, token);
            } else {
                String server = ADDON_USERS.containsKey(e.getKey()) ? "https://" + LabTopology.KUBERNETES_SERVICE_IP + ":443"
                        : e.getKey().startsWith("node-") ? nodeServer : internal;
                Kubeconfig.write(paths.componentKubeconfig(e.getKey()), server, caPem, token);
            }
        }
    }

    /** The static token file ({@code token,user,uid[,"groups"]} per line). */
    static Path tokenFile(LabPaths paths) {
        return paths.pki().resolve("tokens.csv");
    }

    /** API server flags that turn on TLS with the lab's certificate and token authentication. */
    static List<String> apiServerFlags(LabPaths paths) {
        ClusterCa ca = ClusterCa.ensure(paths.pki(), List.of());
        return List.of("--tls-cert-file=" + ca.serverCertificate(), "--tls-private-key-file=" + ca.serverKey(),
                "--token-auth-file=" + tokenFile(paths));
    }
}
