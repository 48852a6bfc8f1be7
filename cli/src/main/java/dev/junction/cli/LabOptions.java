package dev.junction.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --data-dir} option every lab command shares (default {@code $JUNCTION_HOME} or {@code ~/.junction}). */
public final class LabOptions {
    @Option(names = "--data-dir", description = "Lab data directory (default: $JUNCTION_HOME, else ~/.junction).")
    Optional<Path> dataDir = Optional.empty();

    /** The lab's paths. */
    public LabPaths paths() {
        return dataDir.map(LabPaths::new).orElseGet(LabPaths::fromEnvironment);
    }
}
