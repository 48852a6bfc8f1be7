package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The JSON encoding of recently stored objects, by identity, so that an object written once by
 * the storage is not serialised again for the client's response and for every watch (upstream
 * shares one encoding between the watch cache's watchers the same way, {@code cacher}'s
 * {@code cachingObject}). A direct-mapped table of {@value #SLOTS} slots keyed by
 * {@link System#identityHashCode}: a later object in the same slot replaces the earlier one, so it
 * holds at most that many objects and arrays. Only objects that are never mutated again may be
 * remembered ({@link Store}'s contract for stored objects); the arrays must not be written to.
 */
final class EncodedObjects {
    static final int SLOTS = 512;
    private static final AtomicReferenceArray<Entry> TABLE = new AtomicReferenceArray<>(SLOTS);

    private record Entry(JsonNode node, byte[] json) {
    }

    private EncodedObjects() {
    }

    /** Records {@code json} as the encoding of the stored (immutable) object {@code node}. */
    static void remember(JsonNode node, byte[] json) {
        TABLE.set(slot(node), new Entry(node, json));
    }

    /** The remembered encoding of this very object, or null. */
    static byte[] lookup(JsonNode node) {
        Entry e = TABLE.get(slot(node));
        return e != null && e.node() == node ? e.json() : null;
    }

    private static int slot(JsonNode node) {
        int h = System.identityHashCode(node);
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
