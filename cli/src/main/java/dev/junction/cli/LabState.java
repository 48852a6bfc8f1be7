package dev.junction.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code junction up} recorded about a running lab ({@code lab.json}): the number of worker
 * nodes, the proxy mode, the API server storage, the number of API servers and the supervisor's PID.
 *
 * @param workers        number of worker nodes
 * @param proxyMode      kube-proxy mode of the node agents ({@code iptables})
 * @param supervisorPid  PID of the supervisor process in the root netns
 * @param storageBackend {@code sqlite} (default) or {@code etcd3} (an etcd member in the control-plane node)
 * @param apiServers     API server processes sharing the storage: 1, or 2 with {@code etcd3}
 */
public record LabState(int workers, String proxyMode, long supervisorPid, String storageBackend, int apiServers) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public LabState {
        storageBackend = storageBackend == null || storageBackend.isEmpty() ? "sqlite" : storageBackend;
        apiServers = apiServers < 1 ? 1 : apiServers;
    }

    /** A lab with the default storage (SQLite) and one API server. */
    public LabState(int workers, String proxyMode, long supervisorPid) {
        this(workers, proxyMode, supervisorPid, "sqlite", 1);
    }

    /** The same settings with another supervisor PID. */
    public LabState withSupervisorPid(long pid) {
        return new LabState(workers, proxyMode, pid, storageBackend, apiServers);
    }

    /** The topology these settings describe. */
    public LabTopology topology() {
        return LabTopology.of(workers);
    }

    /** Reads {@code lab.json}; empty when there is none. @throws UncheckedIOException when unreadable */
    public static Optional<LabState> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), LabState.class));
        } catch (IOException e) {
            throw new UncheckedIOException("lab state " + file, e);
        }
    }

    /** Writes {@code lab.json} atomically. @throws UncheckedIOException on I/O failure */
    public void write(Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("lab state " + file, e);
        }
    }
}
