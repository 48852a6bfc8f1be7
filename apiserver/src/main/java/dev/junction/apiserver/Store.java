package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The object store: an in-memory index (per resource, sorted by {@code namespace/name}) written
 * through to {@link SqliteStorage}, one global revision counter (etcd's revision, exposed as
 * {@code metadata.resourceVersion}), a bounded in-memory window of recent events and the watch
 * fan-out. Like the watch cache in upstream {@code k8s.io/apiserver/pkg/storage/cacher}, a watch
 * from a revision replays the window (or the SQLite change log when older) and then follows live
 * events; a revision older than the compacted log gets 410 Expired.
 *
 * <p>All methods are synchronized on this store; callers that read-modify-write
 * ({@link ObjectRegistry}) hold the same monitor. Stored {@link ObjectNode}s are never mutated after
 * they are stored: callers must {@code deepCopy()} before changing one.
 */
final class Store implements AutoCloseable {
    /** Default number of revisions kept in the SQLite change log behind the current one. */
    static final long DEFAULT_LOG_RETAIN = 100_000;

    private final SqliteStorage storage;
    private final int windowSize;
    private final long logRetain;
    private final Map<String, TreeMap<String, ObjectNode>> objects = new HashMap<>();
    private final Map<String, List<Consumer<WatchEvent>>> watchers = new HashMap<>();
    private final ArrayDeque<WatchEvent> window = new ArrayDeque<>();
    private long revision;
    private long windowFloor;
    private long compacted;

    /**
     * Opens (or creates) {@code <dataDir>/state.db} and rebuilds the in-memory index from it.
     *
     * @param windowSize number of recent events kept in memory for watches (at least 1)
     * @param logRetain  revisions kept in the SQLite change log behind the current one (at least 1);
     *                   older watches get 410 Expired
     */
    Store(Path dataDir, int windowSize, long logRetain) {
        requireNonNull(dataDir, "dataDir");
        if (windowSize < 1) {
            throw new IllegalArgumentException("windowSize: " + windowSize + " (expected: >= 1)");
        }
        if (logRetain < 1) {
            throw new IllegalArgumentException("logRetain: " + logRetain + " (expected: >= 1)");
        }
        this.windowSize = windowSize;
        this.logRetain = logRetain;
        this.storage = new SqliteStorage(dataDir);
        try {
            storage.loadObjects(row -> index(row.storageKey()).put(key(row.namespace(), Json.text(row.object(),
                    "metadata.name").orElse("")), row.object()));
            revision = storage.meta("revision");
            compacted = storage.meta("compacted");
        } catch (SQLException e) {
            storage.close();
            throw new IllegalStateException("cannot load state: " + e.getMessage(), e);
        }
        windowFloor = revision;
    }

    /** The current global revision (resourceVersion of the latest committed change). */
    synchronized long revision() {
        return revision;
    }

    /** The stored object, if present. */
    synchronized Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
        return Optional.ofNullable(index(type.storageKey()).get(key(namespace, name)));
    }

    /** Objects of a type, in one namespace or (when empty) all, sorted by namespace then name. */
    synchronized List<ObjectNode> list(ResourceType type, Optional<String> namespace) {
        TreeMap<String, ObjectNode> idx = index(type.storageKey());
        if (namespace.isEmpty()) {
            return new ArrayList<>(idx.values());
        }
        String ns = namespace.get();
        return new ArrayList<>(idx.subMap(ns + "/", true, ns + "/\uffff", true).values());
    }

    /** Number of objects of a type. */
    synchronized int count(ResourceType type) {
        return index(type.storageKey()).size();
    }

    /**
     * Stores a new or changed object, stamping {@code metadata.resourceVersion} with the next revision.
     * The in-memory state changes only after the SQLite transaction committed.
     *
     * @return the stored object
     * @throws ApiException 500 when the commit fails
     */
    synchronized ObjectNode put(ResourceType type, String namespace, String name, ObjectNode object) {
        String k = key(namespace, name);
        ObjectNode previous = index(type.storageKey()).get(k);
        long next = revision + 1;
        Json.meta(object).put("resourceVersion", Long.toString(next));
        WatchEvent.Type t = previous == null ? WatchEvent.Type.ADDED : WatchEvent.Type.MODIFIED;
        commit(new WatchEvent(next, t, type.storageKey(), namespace, object, Optional.ofNullable(previous)), k);
        index(type.storageKey()).put(k, object);
        return object;
    }

    /**
     * Removes an object; the DELETED event carries its last state stamped with the delete revision.
     *
     * @return the removed object with the delete revision, empty when absent
     */
    synchronized Optional<ObjectNode> delete(ResourceType type, String namespace, String name) {
        String k = key(namespace, name);
        ObjectNode previous = index(type.storageKey()).get(k);
        if (previous == null) {
            return Optional.empty();
        }
        ObjectNode last = previous.deepCopy();
        long next = revision + 1;
        Json.meta(last).put("resourceVersion", Long.toString(next));
        commit(new WatchEvent(next, WatchEvent.Type.DELETED, type.storageKey(), namespace, last, Optional.of(previous)), k);
        index(type.storageKey()).remove(k);
        return Optional.of(last);
    }

    /**
     * Registers a watcher. With {@code fromRevision} empty, the listener first receives a synthetic
     * ADDED event for every current object (in {@code namespace} if given); otherwise every event
     * after that revision. Both happen atomically with registration, so nothing is missed or doubled.
     *
     * @return a handle that unregisters the listener
     * @throws ApiException 410 Expired when {@code fromRevision} is older than the compacted log
     */
    synchronized AutoCloseable watch(ResourceType type, Optional<String> namespace, Optional<Long> fromRevision,
            Consumer<WatchEvent> listener) {
        String sk = type.storageKey();
        if (fromRevision.isEmpty()) {
            for (ObjectNode o : list(type, namespace)) {
                listener.accept(new WatchEvent(revision, WatchEvent.Type.ADDED, sk,
                        Json.text(o, "metadata.namespace").orElse(""), o, Optional.empty()));
            }
        } else {
            long from = fromRevision.get();
            if (from < windowFloor) {
                if (from < compacted) {
                    throw ApiException.expired(from, compacted);
                }
                try {
                    for (WatchEvent e : storage.eventsBetween(from, windowFloor)) {
                        deliver(e, sk, namespace, listener);
                    }
                } catch (SQLException ex) {
                    throw ApiException.internal("reading change log: " + ex.getMessage());
                }
            }
            for (WatchEvent e : window) {
                if (e.revision() > from) {
                    deliver(e, sk, namespace, listener);
                }
            }
        }
        Consumer<WatchEvent> filtered = e -> deliver(e, sk, namespace, listener);
        List<Consumer<WatchEvent>> list = watchers.computeIfAbsent(sk, x -> new CopyOnWriteArrayList<>());
        list.add(filtered);
        return () -> list.remove(filtered);
    }

    /**
     * Checks that a watch from {@code fromRevision} can be served.
     *
     * @throws ApiException 410 Expired when the revision is older than the compacted log
     */
    synchronized void checkWatchable(long fromRevision) {
        if (fromRevision < windowFloor && fromRevision < compacted) {
            throw ApiException.expired(fromRevision, compacted);
        }
    }

    /** Number of live watchers across all resources. */
    synchronized int watcherCount() {
        return watchers.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public synchronized void close() {
        storage.close();
    }

    private static void deliver(WatchEvent e, String storageKey, Optional<String> namespace, Consumer<WatchEvent> listener) {
        if (e.storageKey().equals(storageKey) && (namespace.isEmpty() || namespace.get().equals(e.namespace()))) {
            listener.accept(e);
        }
    }

    private void commit(WatchEvent event, String key) {
        try {
            storage.commit(event.storageKey() + "/" + key, event);
        } catch (SQLException e) {
            throw ApiException.internal("storage commit failed: " + e.getMessage());
        }
        revision = event.revision();
        window.addLast(event);
        if (window.size() > windowSize) {
            windowFloor = window.removeFirst().revision();
        }
        if (revision % Math.min(1000, logRetain) == 0 && revision > logRetain) {
            try {
                storage.compact(revision - logRetain);
                compacted = revision - logRetain;
            } catch (SQLException e) {
                // compaction is best effort; the log simply stays longer
            }
        }
        List<Consumer<WatchEvent>> list = watchers.get(event.storageKey());
        if (list != null) {
            for (Consumer<WatchEvent> w : list) {
                w.accept(event);
            }
        }
    }

    private TreeMap<String, ObjectNode> index(String storageKey) {
        return objects.computeIfAbsent(storageKey, k -> new TreeMap<>());
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
