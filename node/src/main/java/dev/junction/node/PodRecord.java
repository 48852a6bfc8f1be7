package dev.junction.node;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the agent remembers about one pod on disk, {@code <data-dir>/pods/<ns>_<name>_<uid>/}
 * (the directory layout of kubelet's {@code /var/lib/kubelet/pods/<uid>} and
 * {@code /var/log/pods/<ns>_<name>_<uid>}): {@code sandbox} (namespace, name, uid, netns, ip),
 * {@code pids} ({@code <container>.pid}, {@code .restartCount}, {@code .startedAt}) and the
 * container logs {@code <container>.log}. A restarted agent re-adopts pods from it.
 *
 * @param dir       the pod's directory
 * @param namespace the pod's namespace
 * @param name      the pod's name
 * @param uid       the pod's UID
 * @param netns     the pod's netns name (empty for host-network pods)
 * @param ip        the pod's IP
 */
public record PodRecord(Path dir, String namespace, String name, String uid, String netns, String ip) {

    public PodRecord {
        requireNonNull(dir, "dir");
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(uid, "uid");
        requireNonNull(netns, "netns");
        requireNonNull(ip, "ip");
    }

    /** The directory name {@code <ns>_<name>_<uid>}. */
    public static String dirName(String namespace, String name, String uid) {
        return namespace + "_" + name + "_" + uid;
    }

    /** The IPAM key {@code ns/name/uid}. */
    public String key() {
        return namespace + "/" + name + "/" + uid;
    }

    /** Creates the directory and writes {@code sandbox}. @throws UncheckedIOException on errors */
    public void save() {
        Properties p = new Properties();
        p.setProperty("namespace", namespace);
        p.setProperty("name", name);
        p.setProperty("uid", uid);
        p.setProperty("netns", netns);
        p.setProperty("ip", ip);
        try {
            Files.createDirectories(dir);
            store(p, dir.resolve("sandbox"));
        } catch (IOException e) {
            throw new UncheckedIOException("pod record: " + dir, e);
        }
    }

    /** Writes the {@code pids} file: container → (pid, restartCount, startedAt). */
    public void savePids(Map<String, ContainerPid> pids) {
        Properties p = new Properties();
        pids.forEach((container, pid) -> {
            p.setProperty(container + ".pid", Long.toString(pid.pid()));
            p.setProperty(container + ".restartCount", Integer.toString(pid.restartCount()));
            p.setProperty(container + ".startedAt", pid.startedAt());
        });
        try {
            store(p, dir.resolve("pids"));
        } catch (IOException e) {
            throw new UncheckedIOException("pod record: " + dir, e);
        }
    }

    /** Reads the {@code pids} file; missing or unreadable means empty. */
    public Map<String, ContainerPid> loadPids() {
        Map<String, ContainerPid> out = new TreeMap<>();
        Properties p = load(dir.resolve("pids")).orElseGet(Properties::new);
        for (String key : p.stringPropertyNames()) {
            if (key.endsWith(".pid")) {
                String container = key.substring(0, key.length() - 4);
                try {
                    out.put(container, new ContainerPid(Long.parseLong(p.getProperty(key)),
                            Integer.parseInt(p.getProperty(container + ".restartCount", "0")),
                            p.getProperty(container + ".startedAt", "")));
                } catch (NumberFormatException e) {
                    // ignore a damaged entry
                }
            }
        }
        return out;
    }

    /** Deletes the directory with its logs. */
    public void delete() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("pod record: " + dir, e);
        }
    }

    /** Every readable record under {@code podsDir}. */
    public static List<PodRecord> list(Path podsDir) {
        List<PodRecord> out = new ArrayList<>();
        if (!Files.isDirectory(podsDir)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(podsDir)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                load(dir.resolve("sandbox")).ifPresent(p -> out.add(new PodRecord(dir, p.getProperty("namespace", ""),
                        p.getProperty("name", ""), p.getProperty("uid", ""), p.getProperty("netns", ""), p.getProperty("ip", ""))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("pod records: " + podsDir, e);
        }
        return out;
    }

    /**
     * One recorded container process.
     *
     * @param pid          its PID
     * @param restartCount restarts so far
     * @param startedAt    RFC 3339 start time
     */
    public record ContainerPid(long pid, int restartCount, String startedAt) {
    }

    private static Optional<Properties> load(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (Reader r = Files.newBufferedReader(file)) {
            Properties p = new Properties();
            p.load(r);
            return Optional.of(p);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void store(Properties p, Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, null);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
