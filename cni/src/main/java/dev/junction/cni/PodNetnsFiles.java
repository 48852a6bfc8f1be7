package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes {@code <root>/<podns>/resolv.conf} and {@code hosts} (root {@code /etc/netns} in the lab),
 * which {@code ip netns exec} bind-mounts over {@code /etc/resolv.conf} and {@code /etc/hosts}
 * for every process of the pod; {@link #remove} deletes them on teardown. Writes are atomic.
 */
public final class PodNetnsFiles {
    /** Where {@code ip netns exec} looks for per-namespace files. */
    public static final Path DEFAULT_ROOT = Path.of("/etc/netns");
    private final Path root;

    /** @param root usually {@link #DEFAULT_ROOT} */
    public PodNetnsFiles(Path root) {
        this.root = requireNonNull(root, "root");
    }

    /** The directory of one pod namespace. */
    public Path dir(String podNetns) {
        requireNonNull(podNetns, "podNetns");
        if (podNetns.isEmpty() || podNetns.contains("/") || podNetns.startsWith(".")) {
            throw new IllegalArgumentException("podNetns: " + podNetns + " (expected: a netns name)");
        }
        return root.resolve(podNetns);
    }

    /**
     * Writes both files.
     *
     * @throws UncheckedIOException on file-system errors
     */
    public void write(String podNetns, String resolvConf, String hosts) {
        requireNonNull(resolvConf, "resolvConf");
        requireNonNull(hosts, "hosts");
        Path dir = dir(podNetns);
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve("resolv.conf"), resolvConf);
            writeAtomically(dir.resolve("hosts"), hosts);
        } catch (IOException e) {
            throw new UncheckedIOException("netns files: " + dir, e);
        }
    }

    /** Deletes the pod's directory; a missing directory is not an error. */
    public void remove(String podNetns) {
        Path dir = dir(podNetns);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("netns files: " + dir, e);
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
