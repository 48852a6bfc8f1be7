package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Generates a self-signed certificate with {@code openssl} (through the injected
 * {@link CommandRunner}): the default certificate when no {@code --default-ssl-certificate} is given
 * (ingress-nginx serves its "Kubernetes Ingress Controller Fake Certificate" in that case).
 */
public final class SelfSignedCertificates {
    private SelfSignedCertificates() {
    }

    /**
     * A PEM certificate and PKCS#8 key.
     *
     * @param certificatePem {@code -----BEGIN CERTIFICATE-----…}
     * @param keyPem         {@code -----BEGIN PRIVATE KEY-----…}
     */
    public record Pem(String certificatePem, String keyPem) {
        public Pem {
            requireNonNull(certificatePem, "certificatePem");
            requireNonNull(keyPem, "keyPem");
        }
    }

    /**
     * An EC P-256 certificate valid for 10 years with the given names as subjectAltName DNS entries.
     *
     * @param names the first is also the CN; e.g. {@code "ingress.local"}
     * @return empty when openssl is missing or fails
     */
    public static Optional<Pem> generate(CommandRunner runner, String... names) {
        requireNonNull(runner, "runner");
        if (names.length == 0) {
            throw new IllegalArgumentException("names: [] (expected: at least one DNS name)");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("junction-ingress-cert");
            Path key = dir.resolve("tls.key");
            Path crt = dir.resolve("tls.crt");
            StringBuilder san = new StringBuilder("subjectAltName=");
            for (int i = 0; i < names.length; i++) {
                san.append(i == 0 ? "" : ",").append("DNS:").append(names[i]);
            }
            CommandResult r = runner.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650", "-subj", "/CN=" + names[0],
                    "-addext", san.toString(), "-keyout", key.toString(), "-out", crt.toString()), "", Duration.ofSeconds(20));
            if (r.exitCode() != 0) {
                return Optional.empty();
            }
            return Optional.of(new Pem(Files.readString(crt), Files.readString(key)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            return Optional.empty();
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
