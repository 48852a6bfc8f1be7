package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Allocates pod IPs from a node's pod CIDR the way the CNI {@code host-local} IPAM plugin does
 * (containernetworking/plugins {@code plugins/ipam/host-local/backend/disk/backend.go} and
 * {@code backend/allocator/allocator.go}): one file per allocated address, {@code <dir>/<ip>},
 * holding the owner's key (here {@code namespace/name/uid}); the file is created exclusively, so
 * an address is never handed out twice, and the state survives a restart. Allocation continues
 * round-robin after the last reserved address ({@code last_reserved_ip.0}); the network address,
 * the gateway ({@code .1}) and the broadcast address are never allocated.
 *
 * <p>Thread-safe.
 */
public final class HostLocalIpam {
    private static final String LAST_RESERVED = "last_reserved_ip.0";
    private final PodCidr cidr;
    private final Path dir;

    /**
     * @param cidr the node's pod CIDR
     * @param dir  the state directory, {@code <data-dir>/ipam}; created when missing
     * @throws UncheckedIOException when the directory cannot be created
     */
    public HostLocalIpam(PodCidr cidr, Path dir) {
        this.cidr = requireNonNull(cidr, "cidr");
        this.dir = requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("ipam dir: " + dir, e);
        }
    }

    /** The CIDR addresses come from. */
    public PodCidr cidr() {
        return cidr;
    }

    /**
     * Returns the address held by {@code key}, allocating a free one when it holds none.
     *
     * @param key the owner, e.g. {@code namespace/name/uid} (one line, no NUL)
     * @return a dotted IPv4 address inside the CIDR
     * @throws IllegalStateException when the range is exhausted
     * @throws UncheckedIOException  on file-system errors
     */
    public synchronized String allocate(String key) {
        requireNonNull(key, "key");
        if (key.isBlank() || key.contains("\n")) {
            throw new IllegalArgumentException("key: " + key + " (expected: one non-blank line)");
        }
        Optional<String> held = lookup(key);
        if (held.isPresent()) {
            return held.get();
        }
        long first = cidr.network() + 2;
        long last = cidr.broadcast() - 1;
        long size = last - first + 1;
        long start = readLastReserved().map(v -> v + 1).filter(v -> v >= first && v <= last).orElse(first);
        for (long i = 0; i < size; i++) {
            long candidate = first + ((start - first + i) % size);
            String ip = PodCidr.format(candidate);
            try {
                Files.writeString(dir.resolve(ip), key, StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                writeLastReserved(ip);
                return ip;
            } catch (FileAlreadyExistsException e) {
                // taken; try the next one
            } catch (IOException e) {
                throw new UncheckedIOException("ipam: " + dir.resolve(ip), e);
            }
        }
        throw new IllegalStateException("ipam: no free address in " + cidr);
    }

    /** The address {@code key} holds, if any. */
    public synchronized Optional<String> lookup(String key) {
        requireNonNull(key, "key");
        return allocations().entrySet().stream().filter(e -> e.getValue().equals(key)).map(Map.Entry::getKey).findFirst();
    }

    /** Releases every address {@code key} holds; releasing nothing is not an error. */
    public synchronized void release(String key) {
        requireNonNull(key, "key");
        allocations().forEach((ip, owner) -> {
            if (owner.equals(key)) {
                try {
                    Files.deleteIfExists(dir.resolve(ip));
                } catch (IOException e) {
                    throw new UncheckedIOException("ipam: " + dir.resolve(ip), e);
                }
            }
        });
    }

    /** Every allocation: address → key, in address order of the file names. */
    public synchronized Map<String, String> allocations() {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.equals(LAST_RESERVED) || name.startsWith(".")) {
                    continue;
                }
                out.put(name, Files.readString(file, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("ipam: " + dir, e);
        }
        return out;
    }

    private Optional<Long> readLastReserved() {
        Path file = dir.resolve(LAST_RESERVED);
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            return Optional.of(PodCidr.parseIp(Files.readString(file).strip()));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void writeLastReserved(String ip) throws IOException {
        Path tmp = dir.resolve("." + LAST_RESERVED + ".tmp");
        Files.writeString(tmp, ip);
        Files.move(tmp, dir.resolve(LAST_RESERVED), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
