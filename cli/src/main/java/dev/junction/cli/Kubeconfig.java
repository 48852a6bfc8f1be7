package dev.junction.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the lab's kubeconfig: one cluster, user and context, all named {@code junction}. */
final class Kubeconfig {
    private Kubeconfig() {
    }

    /** The kubeconfig text for a plain-HTTP API server at {@code server}, without credentials. */
    static String render(String server) {
        return render(server, "", "");
    }

    /**
     * The kubeconfig text for {@code server}, trusting {@code caPem} (empty: none) and authenticating
     * with bearer {@code token} (empty: none).
     */
    static String render(String server, String caPem, String token) {
        String ca = caPem.isEmpty() ? "" : "\n    certificate-authority-data: "
                + java.util.Base64.getEncoder().encodeToString(caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String user = token.isEmpty() ? "{}" : "\n    token: " + token;
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: junction
                  cluster:
                    server: %s%s
                contexts:
                - name: junction
                  context:
                    cluster: junction
                    user: junction
                    namespace: default
                current-context: junction
                users:
                - name: junction
                  user: %s
                preferences: {}
                """.formatted(server, ca, user);
    }

    /** Writes {@link #render(String, String, String)} to {@code file}, readable by root only. @throws UncheckedIOException on I/O failure */
    static void write(Path file, String server, String caPem, String token) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, render(server, caPem, token));
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
