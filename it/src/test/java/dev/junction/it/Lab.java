package dev.junction.it;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drives a lab through the real launcher ({@code ./junction}) and real tools (kubectl, curl,
 * nslookup), the way a user would. One lab per host: the lab's names ({@code jn-…}) and
 * 127.0.0.1:6443 are fixed. The API is HTTPS with the lab's own CA and bearer tokens.
 */
final class Lab {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    static final Path HOME = Path.of(System.getProperty("java.io.tmpdir"), "junction-it");
    private static final CommandRunner RUN = CommandRunner.system();

    private Lab() {
    }

    /** The seed manifests the acceptance criteria name: ../shared/fixtures/seeds if present, else examples/. */
    static Path seeds(String file) {
        Path shared = REPO.resolveSibling("shared").resolve("fixtures/seeds").resolve(file);
        return Files.exists(shared) ? shared : REPO.resolve("examples").resolve(file);
    }

    /** Runs {@code ./junction args…} with JUNCTION_HOME set to the test's home. */
    static CommandResult junction(Duration timeout, String... args) {
        List<String> argv = new ArrayList<>(List.of("env", "JUNCTION_HOME=" + HOME, REPO.resolve("junction").toString()));
        argv.addAll(List.of(args));
        return RUN.run(argv, "", timeout);
    }

    /** {@code junction exec POD -- argv} (namespace default). */
    static CommandResult exec(String pod, String... argv) {
        List<String> args = new ArrayList<>(List.of("exec", pod, "--"));
        args.addAll(List.of(argv));
        return junction(Duration.ofSeconds(60), args.toArray(String[]::new));
    }

    /** {@code junction exec --client -- argv}. */
    static CommandResult client(String... argv) {
        List<String> args = new ArrayList<>(List.of("exec", "--client", "--"));
        args.addAll(List.of(argv));
        return junction(Duration.ofSeconds(60), args.toArray(String[]::new));
    }

    /** The real kubectl with the lab's kubeconfig. */
    static CommandResult kubectl(String... args) {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", HOME.resolve("kubeconfig").toString()));
        argv.addAll(List.of(args));
        return RUN.run(argv, "", Duration.ofSeconds(60));
    }

    /** A fabric8 client with the lab's admin kubeconfig (HTTPS with the lab CA, admin bearer token). */
    static KubernetesClient client() {
        return KubeClients.create(Optional.empty(), Optional.of(HOME.resolve("kubeconfig")));
    }

    /** The lab API on the host: HTTPS through the supervisor's relay. */
    static final String API = "https://127.0.0.1:6443";

    /** A JDK HTTP client that trusts only the lab's cluster CA ({@code pki/ca.crt}). */
    static java.net.http.HttpClient apiHttp() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(HOME.resolve("pki/ca.crt"))) {
            trust.setCertificateEntry("junction-ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return java.net.http.HttpClient.newBuilder().sslContext(tls).build();
    }

    /** The admin bearer token, read from the kubeconfig {@code junction up} wrote. */
    static String adminToken() throws java.io.IOException {
        return Files.readAllLines(HOME.resolve("kubeconfig")).stream().map(String::strip).filter(l -> l.startsWith("token: "))
                .map(l -> l.substring("token: ".length())).findFirst().orElseThrow();
    }

    static CommandResult sh(String... argv) {
        return RUN.run(List.of(argv), "", Duration.ofSeconds(60));
    }

    /** Resident set size in KiB of {@code pid}, from /proc. */
    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    static Map<String, String> env() {
        return Map.of("JUNCTION_HOME", HOME.toString());
    }
}
