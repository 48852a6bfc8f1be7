package dev.junction.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the lab's kubeconfig: one cluster, user and context, all named {@code junction}. */
final class Kubeconfig {
    private Kubeconfig() {
    }

    /** The kubeconfig text for an API server at {@code server}. */
    static String render(String server) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: junction
                  cluster:
                    server: %s
                contexts:
                - name: junction
                  context:
                    cluster: junction
                    user: junction
                    namespace: default
                current-context: junction
                users:
                - name: junction
                  user: {}
                preferences: {}
                """.formatted(server);
    }

    /** Writes it to {@code file}. @throws UncheckedIOException on I/O failure */
    static void write(Path file, String server) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, render(server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
