package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabPkiTest {
    @Test
    void everyComponentGetsItsOwnTokenAndTheClusterCa(@TempDir Path home) throws Exception {
        LabPaths paths = new LabPaths(home);
        LabTopology topology = LabTopology.of(2);
        LabPki.create(paths, topology);

        Config admin = Config.fromKubeconfig(Files.readString(paths.kubeconfig()));
        assertThat(admin.getMasterUrl()).startsWith("https://127.0.0.1:6443");
        assertThat(admin.getAutoOAuthToken()).hasSize(64);
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(admin.getCaCertData())));
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=junction-ca");

        Set<String> tokens = new HashSet<>(List.of(admin.getAutoOAuthToken()));
        for (String component : List.of("controllers", "node-jn-node-cp", "node-jn-node-a", "node-jn-node-b", "coredns", "ingress")) {
            Config c = Config.fromKubeconfig(Files.readString(paths.componentKubeconfig(component)));
            assertThat(c.getCaCertData()).as(component).isEqualTo(admin.getCaCertData());
            assertThat(tokens.add(c.getAutoOAuthToken())).as(component + " has a token of its own").isTrue();
            // Pods reach the API through the kubernetes Service; node processes through the node network.
            assertThat(c.getMasterUrl()).startsWith(component.equals("coredns") || component.equals("ingress")
                    ? "https://10.96.0.1:443" : "https://172.30.0.10:6443");
        }
        assertThat(Files.getPosixFilePermissions(paths.kubeconfig())).hasSize(2);
        assertThat(LabPki.apiServerFlags(paths)).anyMatch(f -> f.startsWith("--tls-cert-file="))
                .anyMatch(f -> f.startsWith("--token-auth-file="));

        // A second run (e.g. the supervisor restarting) keeps the CA and the tokens.
        String before = Files.readString(LabPki.tokenFile(paths));
        LabPki.create(paths, topology);
        assertThat(Files.readString(LabPki.tokenFile(paths))).isEqualTo(before);
    }
}
