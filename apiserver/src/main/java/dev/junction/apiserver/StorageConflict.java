package dev.junction.apiserver;

import java.util.List;

/**
 * A storage precondition failed: the object's revision was not the expected one ({@code keys}
 * empty), or allocation keys another writer already holds ({@code keys} lists them, relative to the
 * storage prefix). {@link Store} turns the first into 409 AlreadyExists / Conflict and rethrows the
 * second for {@link ObjectRegistry} to allocate again.
 */
final class StorageConflict extends RuntimeException {
    private final List<String> keys;

    StorageConflict(List<String> keys) {
        super(keys.isEmpty() ? "object revision changed" : "allocation keys taken: " + keys, null, false, false);
        this.keys = List.copyOf(keys);
    }

    /** Allocation keys that were taken; empty when the object itself changed. */
    List<String> keys() {
        return keys;
    }

    boolean allocation() {
        return !keys.isEmpty();
    }
}
