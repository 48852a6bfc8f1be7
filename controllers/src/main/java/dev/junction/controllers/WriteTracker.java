package dev.junction.controllers;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembers, per owner key, the objects a controller last wrote and the resourceVersion the server
 * returned ("" for a delete), so that a reconcile waits until the informer cache has caught up instead
 * of acting on stale state (upstream {@code endpointslice} {@code EndpointSliceTracker.StaleSlices}).
 * Entries expire after 30 s.
 */
final class WriteTracker {
    private static final Duration TTL = Duration.ofSeconds(30);

    private record Writes(Map<String, String> versions, Instant deadline) {
    }

    private final Map<String, Writes> writes = new ConcurrentHashMap<>();

    void record(String ownerKey, Map<String, String> written) {
        if (!written.isEmpty()) {
            writes.put(ownerKey, new Writes(Map.copyOf(written), Instant.now().plus(TTL)));
        }
    }

    /**
     * Whether the cache reflects the last writes; {@code cached} maps an object name to its cached
     * resourceVersion (empty when absent). Seen or expired entries are cleared.
     */
    boolean caughtUp(String ownerKey, Function<String, Optional<String>> cached) {
        Writes w = writes.get(ownerKey);
        if (w == null) {
            return true;
        }
        boolean seen = w.versions().entrySet().stream().allMatch(e -> {
            Optional<String> rv = cached.apply(e.getKey());
            return e.getValue().isEmpty() ? rv.isEmpty() : rv.isPresent() && newerOrEqual(rv.get(), e.getValue());
        });
        if (seen || Instant.now().isAfter(w.deadline())) {
            writes.remove(ownerKey, w);
            return true;
        }
        return false;
    }

    private static boolean newerOrEqual(String cached, String written) {
        try {
            return Long.parseLong(cached) >= Long.parseLong(written);
        } catch (NumberFormatException e) {
            return cached.equals(written);
        }
    }
}
