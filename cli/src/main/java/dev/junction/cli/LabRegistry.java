package dev.junction.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A lab's names ({@code jn-…} namespaces) and 127.0.0.1:6443 are host-wide, so there is at most one
 * lab per host, whatever {@code JUNCTION_HOME} each command runs with. The running lab's data
 * directory is recorded in {@code /run/junction/lab-home}, so that {@code up} refuses from any home
 * and {@code down} cleans up the lab that really runs.
 */
final class LabRegistry {
    static final Path FILE = Path.of("/run/junction/lab-home");

    private LabRegistry() {
    }

    /** The data directory of the lab recorded as running, if any. */
    static Optional<Path> runningHome() {
        try {
            return Files.exists(FILE) ? Optional.of(Path.of(Files.readString(FILE).strip())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Records {@code home} as the running lab. @throws UncheckedIOException on I/O failure */
    static void register(Path home) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, home.toAbsolutePath() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets the running lab. */
    static void clear() {
        try {
            Files.deleteIfExists(FILE);
        } catch (IOException e) {
            // nothing recorded
        }
    }
}
