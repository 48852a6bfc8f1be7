package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with a generated cluster CA and bearer-token authentication: kubectl (oldest and newest
 * installed) with a CA-bearing kubeconfig and a token works; no token is 401; plain HTTP to the
 * TLS port gets no API answer; a restart reuses the CA.
 */
class SecureApiServerTest {
    static final Path KUBECTL_DIR = Path.of("/usr/lib/google-cloud-sdk/bin");

    @TempDir
    Path dir;

    @Test
    void kubectlAndJavaClientsOverTlsWithTokens() throws Exception {
        ClusterCa ca = ClusterCa.ensure(dir.resolve("pki"), List.of("127.0.0.1"));
        TokenAuthenticator tokens = TokenAuthenticator.ensure(dir.resolve("tokens.csv"), List.of("admin", "controllers"));
        String admin = tokens.tokenOf("admin").orElseThrow();
        assertThat(tokens.tokenOf("controllers")).isPresent().get().isNotEqualTo(admin);
        try (ApiServer server = ApiServer.builder().dataDir(dir.resolve("data")).bindAddress("127.0.0.1").port(0)
                .advertiseAddress("127.0.0.1").tls(ca.serverCertificate(), ca.serverKey()).tokenAuthenticator(tokens).build()
                .start()) {
            assertThat(server.url()).startsWith("https://");
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca.caCertificate())).build();
            HttpResponse<String> anon = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anon.statusCode()).isEqualTo(401);
            assertThat(Json.MAPPER.readTree(anon.body()).path("reason").asText()).isEqualTo("Unauthorized");
            assertThat(client.send(HttpRequest.newBuilder(URI.create(server.url() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces"))
                    .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces"))
                    .header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);

            String plain = server.url().replace("https://", "http://");
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);

            for (String version : List.of("1.27", "1.33")) {
                Path kubectl = KUBECTL_DIR.resolve("kubectl." + version);
                if (!Files.isExecutable(kubectl)) {
                    continue;
                }
                Path good = kubeconfig("good-" + version, server.url(), ca.caCertificate(), admin);
                assertThat(run(kubectl, good, "get", "ns", "-o", "name")).contains("namespace/kube-system");
                assertThat(run(kubectl, good, "create", "configmap", "tls-" + version.replace('.', '-'), "--from-literal=a=b"))
                        .contains("created");
                Path anonymous = kubeconfig("anon-" + version, server.url(), ca.caCertificate(), "");
                // kubectl 1.27 answers a 401 without credentials by prompting for basic auth, as against kube-apiserver
                assertThat(run(kubectl, anonymous, "get", "ns")).containsAnyOf("Unauthorized", "Please enter Username")
                        .doesNotContain("kube-system");
            }
        }
        // a restart keeps the CA: the same ca.crt still verifies the server
        byte[] before = Files.readAllBytes(ca.caCertificate());
        ClusterCa again = ClusterCa.ensure(dir.resolve("pki"), List.of("127.0.0.1"));
        assertThat(Files.readAllBytes(again.caCertificate())).isEqualTo(before);
    }

    @Test
    void tokenFileFormatFollowsKubeApiserver() throws Exception {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "# comment\nabc,alice,uid-1,\"g1,g2\"\ndef,bob,uid-2\n");
        TokenAuthenticator t = TokenAuthenticator.load(f);
        assertThat(t.authenticate(java.util.Optional.of("Bearer abc"))).get()
                .isEqualTo(new TokenAuthenticator.User("alice", "uid-1", List.of("g1", "g2")));
        assertThat(t.authenticate(java.util.Optional.of("bearer def")).map(TokenAuthenticator.User::name)).contains("bob");
        assertThat(t.authenticate(java.util.Optional.of("Basic abc"))).isEmpty();
        Files.writeString(f, "abc,alice\n");
        assertThatThrownBy(() -> TokenAuthenticator.load(f)).hasMessageContaining("line 1");
    }

    private Path kubeconfig(String name, String url, Path caCert, String token) throws Exception {
        Path p = dir.resolve(name + ".kubeconfig");
        String caData = Base64.getEncoder().encodeToString(Files.readAllBytes(caCert));
        Files.writeString(p, """
                apiVersion: v1
                kind: Config
                clusters:
                - cluster: {server: "%s", certificate-authority-data: %s}
                  name: junction
                contexts:
                - context: {cluster: junction, user: u, namespace: default}
                  name: junction
                current-context: junction
                users:
                - name: u
                  user: {%s}
                """.formatted(url, caData, token.isEmpty() ? "" : "token: " + token));
        return p;
    }

    private static String run(Path kubectl, Path kubeconfig, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        // stdin from /dev/null: kubectl 1.27 prompts for a username on 401 when it has no credentials
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl timed out: " + cmd);
        }
        try (InputStream in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SSLContext trusting(Path caCert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
