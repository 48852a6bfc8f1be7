package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The object cache in front of a {@link Storage}, in the role of upstream's cacher
 * ({@code k8s.io/apiserver/pkg/storage/cacher}): an in-memory index (per resource, sorted by
 * {@code namespace/name}), the current revision (exposed as {@code metadata.resourceVersion}), a
 * bounded window of recent durable events and the watch fan-out. A watch from a revision replays
 * the window (or the storage's change log when older) and then follows live events; a revision
 * older than both gets 410 Expired.
 *
 * <p>Writes are acknowledged only once durable, and watch events are delivered only once durable:
 * <ul>
 * <li>SQLite ({@link Storage#assignsRevisions()} false): the write takes the next revision and goes
 * into the index at once (later writers see it, so conflicts and allocations stay exact); the
 * writer then waits for the group commit, releasing this monitor meanwhile ({@link #wait()}), so
 * concurrent writers share one fsync. The committer delivers the events after the fsync.</li>
 * <li>etcd: the write is an etcd transaction; the writer waits (again releasing the monitor) for
 * it and then until the etcd watch has brought the cache to the write's revision, so a client that
 * got a 2xx reads its write from this server. Writes through other API servers arrive the same way.</li>
 * </ul>
 *
 * <p>Watch fan-out runs on one dispatcher thread ({@code watch-dispatch}), outside this monitor, in
 * revision order, as the cacher's {@code dispatchEvents} goroutine does: a durable batch is indexed
 * under the monitor (so writers and readers see it at once) and handed to the dispatcher, and the
 * writers are acknowledged without waiting for every watcher's bytes to be written. A watch
 * registered while events are still queued skips those it already replayed (each listener knows
 * the revision it starts after); bookmarks are queued behind the events they vouch for.
 *
 * <p>All methods are synchronized on this store; callers that read-modify-write
 * ({@link ObjectRegistry}) hold the same monitor, which a write releases only while it waits for
 * durability, after its own change is decided. Stored {@link ObjectNode}s are never mutated after
 * they are stored: callers must {@code deepCopy()} before changing one.
 */
final class Store implements AutoCloseable {
    /** Default number of revisions kept in the SQLite change log behind the current one. */
    static final long DEFAULT_LOG_RETAIN = 100_000;
    /** Longest wait for the storage to confirm a write (and, with etcd, for the watch to bring it back). */
    static final long WRITE_TIMEOUT_SECONDS = 30;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Store.class);

    private final Storage storage;
    private final boolean remote;
    private final int windowSize;
    private final Map<String, TreeMap<String, ObjectNode>> objects = new HashMap<>();
    private final Map<String, List<Watcher>> watchers = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Consumer<WatchEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<WatchEvent> window = new ArrayDeque<>();
    private final java.util.concurrent.ExecutorService dispatcher = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "watch-dispatch");
        t.setDaemon(true);
        return t;
    });
    /** Newest revision in the index (SQLite: may not be durable yet). */
    private long revision;
    /** Newest durable revision delivered to watchers (volatile: write callbacks read it without the monitor). */
    private volatile long durable;
    private long windowFloor;
    private RuntimeException failed;
    private boolean closed;

    /**
     * Loads every object from {@code storage} and starts following its changes.
     *
     * @param windowSize number of recent events kept in memory for watches (at least 1)
     * @throws IllegalStateException when the storage cannot be read
     */
    Store(Storage storage, int windowSize) {
        this.storage = requireNonNull(storage, "storage");
        if (windowSize < 1) {
            throw new IllegalArgumentException("windowSize: " + windowSize + " (expected: >= 1)");
        }
        this.windowSize = windowSize;
        this.remote = storage.assignsRevisions();
        Storage.Loaded loaded;
        synchronized (this) {
            loaded = storage.load(e -> indexInto(objects, e));
            revision = loaded.revision();
            durable = revision;
            windowFloor = revision;
        }
        storage.follow(loaded.revision(), this::applyDurable, this::relist);
    }

    /** One registered watch: its filtered event consumer and what ends it when the cache is replaced. */
    private record Watcher(Consumer<WatchEvent> events, Runnable end) {
    }

    /** The current global revision (resourceVersion of the latest change in the index). */
    synchronized long revision() {
        return revision;
    }

    /** The newest revision that is durable (its events are delivered or queued for the watchers). */
    synchronized long durableRevision() {
        return durable;
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

    /** Stores a new or changed object; see {@link #put(ResourceType, String, String, ObjectNode, Storage.Guards)}. */
    synchronized ObjectNode put(ResourceType type, String namespace, String name, ObjectNode object) {
        return put(type, namespace, name, object, Storage.Guards.NONE);
    }

    /**
     * Stores a new or changed object, stamping {@code metadata.resourceVersion} with its revision,
     * and returns once it is durable.
     *
     * @param guards allocation keys claimed/released in the same storage transaction
     * @return the stored object
     * @throws ApiException    409 when the object changed under this write (another API server),
     *                         500 when the storage failed
     * @throws StorageConflict when an allocation key in {@code guards} is already taken
     */
    synchronized ObjectNode put(ResourceType type, String namespace, String name, ObjectNode object, Storage.Guards guards) {
        String k = key(namespace, name);
        ObjectNode previous = index(type.storageKey()).get(k);
        WatchEvent.Type t = previous == null ? WatchEvent.Type.ADDED : WatchEvent.Type.MODIFIED;
        long expected = previous == null ? 0 : rv(previous);
        if (remote) {
            long rev = awaitRemote(type, name, storage.write(new Storage.Write(new WatchEvent(0, t, type.storageKey(),
                    namespace, object, Optional.ofNullable(previous)), name, expected, guards)), expected == 0);
            Json.meta(object).put("resourceVersion", Long.toString(rev));
            return object;
        }
        checkUsable();
        long next = ++revision;
        Json.meta(object).put("resourceVersion", Long.toString(next));
        index(type.storageKey()).put(k, object);
        awaitLocal(storage.write(new Storage.Write(new WatchEvent(next, t, type.storageKey(), namespace, object,
                Optional.ofNullable(previous)), name, expected, guards)), next);
        return object;
    }

    /** Removes an object; see {@link #delete(ResourceType, String, String, Storage.Guards)}. */
    synchronized Optional<ObjectNode> delete(ResourceType type, String namespace, String name) {
        return delete(type, namespace, name, Storage.Guards.NONE);
    }

    /**
     * Removes an object and returns once that is durable; the DELETED event carries its last state
     * stamped with the delete revision.
     *
     * @return the removed object with the delete revision, empty when absent
     * @throws ApiException 409 when the object changed under this delete, 500 when the storage failed
     */
    synchronized Optional<ObjectNode> delete(ResourceType type, String namespace, String name, Storage.Guards guards) {
        String k = key(namespace, name);
        ObjectNode previous = index(type.storageKey()).get(k);
        if (previous == null) {
            return Optional.empty();
        }
        ObjectNode last = previous.deepCopy();
        if (remote) {
            long rev = awaitRemote(type, name, storage.write(new Storage.Write(new WatchEvent(0, WatchEvent.Type.DELETED,
                    type.storageKey(), namespace, last, Optional.of(previous)), name, rv(previous), guards)), false);
            Json.meta(last).put("resourceVersion", Long.toString(rev));
            return Optional.of(last);
        }
        checkUsable();
        long next = ++revision;
        Json.meta(last).put("resourceVersion", Long.toString(next));
        index(type.storageKey()).remove(k);
        awaitLocal(storage.write(new Storage.Write(new WatchEvent(next, WatchEvent.Type.DELETED, type.storageKey(),
                namespace, last, Optional.of(previous)), name, rv(previous), guards)), next);
        return Optional.of(last);
    }

    /**
     * Waits, without holding the monitor, until {@code rev} is durable: a reader that saw the index
     * at {@code rev} (which may hold SQLite writes still in their group commit) answers only then.
     */
    synchronized void awaitDurable(long rev) {
        boolean interrupted = false;
        while (durable < rev && failed == null && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Registers a watcher. With {@code fromRevision} empty, the listener first receives a synthetic
     * ADDED event for every current object (in {@code namespace} if given); otherwise every event
     * after that revision. Both happen atomically with registration, so nothing is missed or doubled.
     *
     * @param end      called (on the dispatcher thread, after every event the listener got) when the
     *                 cache is replaced by a re-list and the watch must end, as upstream's cacher
     *                 {@code terminateAllWatchers}; the client re-watches from its last revision
     *                 (then 410 Expired) or re-lists
     * @return a handle that unregisters the listener
     * @throws ApiException 410 Expired when {@code fromRevision} is older than the compacted log
     */
    synchronized AutoCloseable watch(ResourceType type, Optional<String> namespace, Optional<Long> fromRevision,
            Consumer<WatchEvent> listener, Runnable end) {
        String sk = type.storageKey();
        long from;
        if (fromRevision.isEmpty()) {
            from = revision;
            for (ObjectNode o : list(type, namespace)) {
                listener.accept(new WatchEvent(revision, WatchEvent.Type.ADDED, sk,
                        namespaceOf(o), o, Optional.empty()));
            }
        } else {
            from = fromRevision.get();
            checkWatchable(from);
            if (from < windowFloor) {
                for (WatchEvent e : storage.history(from, windowFloor)) {
                    deliver(e, sk, namespace, listener);
                }
            }
            for (WatchEvent e : window) {
                if (e.revision() > from) {
                    deliver(e, sk, namespace, listener);
                }
            }
        }
        // events up to the durable revision were replayed above (or listed); those still queued
        // for the dispatcher are skipped when they reach this listener
        long after = Math.max(from, durable);
        Consumer<WatchEvent> filtered = e -> {
            if (e.revision() > after) {
                deliver(e, sk, namespace, listener);
            }
        };
        List<Watcher> list = watchers.computeIfAbsent(sk, x -> new CopyOnWriteArrayList<>());
        Watcher w = new Watcher(filtered, requireNonNull(end, "end"));
        list.add(w);
        return () -> list.remove(w);
    }

    /**
     * Checks that a watch from {@code fromRevision} can be served: from the window, or (SQLite) from
     * the change log down to its compacted revision. With etcd, like upstream's cacher, a revision
     * older than the window gets 410 and the client re-lists.
     *
     * @throws ApiException 410 Expired when the revision is too old
     */
    synchronized void checkWatchable(long fromRevision) {
        if (fromRevision >= windowFloor) {
            return;
        }
        long oldest = remote ? windowFloor : storage.compacted();
        if (remote || fromRevision < oldest) {
            throw ApiException.expired(fromRevision, oldest);
        }
    }

    /**
     * Runs {@code task} with the current durable revision on the dispatcher, after every event up
     * to that revision has been handed to the watchers, so a BOOKMARK never overtakes the events
     * it vouches for.
     */
    synchronized void afterDispatched(java.util.function.LongConsumer task) {
        long rev = durable;
        if (!closed) {
            dispatcher.execute(() -> task.accept(rev));
        }
    }

    /** Number of live watchers across all resources. */
    synchronized int watcherCount() {
        return watchers.values().stream().mapToInt(List::size).sum();
    }

    /** Calls {@code listener} (under this monitor) with every durable event, before the watchers get it. */
    void addListener(Consumer<WatchEvent> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /** True when the storage assigns revisions and other API servers may write (etcd). */
    boolean shared() {
        return remote;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        dispatcher.shutdown();
        storage.close();
    }

    /** Called by the storage's single follower thread with durable events in revision order. */
    private synchronized void applyDurable(List<WatchEvent> events) {
        try {
            applyEach(events);
        } catch (RuntimeException e) {
            LOG.error("applying {} durable events failed", events.size(), e);
        } finally {
            notifyAll();
        }
    }

    private void applyEach(List<WatchEvent> events) {
        List<WatchEvent> fresh = new ArrayList<>(events.size());
        for (WatchEvent e : events) {
            if (e.revision() <= durable) {
                continue;
            }
            if (remote) {
                String k = key(e.namespace(), name(e.object()));
                if (e.type() == WatchEvent.Type.DELETED) {
                    index(e.storageKey()).remove(k);
                } else {
                    index(e.storageKey()).put(k, e.object());
                }
                revision = e.revision();
            }
            durable = e.revision();
            window.addLast(e);
            if (window.size() > windowSize) {
                windowFloor = window.removeFirst().revision();
            }
            for (Consumer<WatchEvent> l : listeners) {
                l.accept(e);
            }
            fresh.add(e);
        }
        if (!fresh.isEmpty() && !closed) {
            dispatcher.execute(() -> dispatch(fresh));
        }
    }

    /**
     * Called by the storage's follower thread when it lost the changes after {@link #durable} (etcd:
     * the watch was compacted past it). As upstream's cacher when its reflector re-lists
     * ({@code cacher.go} startCaching: {@code terminateAllWatchers}, then {@code watchCache.Replace}):
     * loads the storage again (retrying every second while it cannot be read), replaces the index,
     * tells the {@linkplain #addListener listeners} what changed (synthetic ADDED / MODIFIED / DELETED
     * at the new revision), ends every watch (their clients re-watch and get 410 Expired, since the
     * window restarts at the new revision, then re-list) and follows the storage from there.
     */
    private void relist() {
        while (true) {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            Map<String, TreeMap<String, ObjectNode>> fresh = new HashMap<>();
            Storage.Loaded loaded;
            try {
                loaded = storage.load(e -> indexInto(fresh, e));
            } catch (RuntimeException e) {
                LOG.warn("re-list from storage failed, retrying in 1 s: {}", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            replace(fresh, loaded.revision());
            storage.follow(loaded.revision(), this::applyDurable, this::relist);
            return;
        }
    }

    private synchronized void replace(Map<String, TreeMap<String, ObjectNode>> fresh, long rev) {
        List<WatchEvent> changes = new ArrayList<>();
        java.util.Set<String> kinds = new java.util.HashSet<>(objects.keySet());
        kinds.addAll(fresh.keySet());
        for (String sk : kinds) {
            TreeMap<String, ObjectNode> before = objects.getOrDefault(sk, new TreeMap<>());
            TreeMap<String, ObjectNode> after = fresh.getOrDefault(sk, new TreeMap<>());
            before.forEach((k, o) -> {
                if (!after.containsKey(k)) {
                    changes.add(new WatchEvent(rev, WatchEvent.Type.DELETED, sk, namespaceOf(o), o, Optional.of(o)));
                }
            });
            after.forEach((k, o) -> {
                ObjectNode old = before.get(k);
                if (old == null) {
                    changes.add(new WatchEvent(rev, WatchEvent.Type.ADDED, sk, namespaceOf(o), o, Optional.empty()));
                } else if (rv(old) != rv(o)) {
                    changes.add(new WatchEvent(rev, WatchEvent.Type.MODIFIED, sk, namespaceOf(o), o, Optional.of(old)));
                }
            });
        }
        objects.clear();
        objects.putAll(fresh);
        revision = Math.max(revision, rev);
        durable = Math.max(durable, rev);
        window.clear();
        windowFloor = durable;
        for (WatchEvent e : changes) {
            for (Consumer<WatchEvent> l : listeners) {
                l.accept(e);
            }
        }
        List<Watcher> ended = new ArrayList<>();
        watchers.values().forEach(list -> {
            ended.addAll(list);
            list.clear();
        });
        LOG.warn("re-listed at revision {}: {} objects changed while the storage's changes were lost; ending {} watches",
                rev, changes.size(), ended.size());
        if (!closed) {
            dispatcher.execute(() -> ended.forEach(w -> w.end().run()));
        }
        notifyAll();
    }

    /** Puts a loaded object into {@code indexes} (per resource, by {@code namespace/name}). */
    private static void indexInto(Map<String, TreeMap<String, ObjectNode>> indexes, WatchEvent e) {
        indexes.computeIfAbsent(e.storageKey(), k -> new TreeMap<>()).put(key(e.namespace(), name(e.object())), e.object());
    }

    private static String namespaceOf(ObjectNode o) {
        return o.path("metadata").path("namespace").asText("");
    }

    /** On the dispatcher thread: every event, in order, to the watchers of its resource. */
    private void dispatch(List<WatchEvent> events) {
        for (WatchEvent e : events) {
            List<Watcher> list = watchers.get(e.storageKey());
            if (list == null) {
                continue;
            }
            for (Watcher w : list) {
                try {
                    w.events().accept(e);
                } catch (RuntimeException ex) {
                    LOG.warn("watch listener failed on revision {}", e.revision(), ex);
                }
            }
        }
    }

    /** Waits on this monitor (released meanwhile) until notified or the write deadline passes. */
    private void waitUntil(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw ApiException.internal("storage did not confirm the write within " + WRITE_TIMEOUT_SECONDS + " s");
        }
        try {
            wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted waiting for storage");
        }
    }

    private long awaitRemote(ResourceType type, String name, CompletableFuture<Long> f, boolean create) {
        // wake the waiters only when this write's outcome decides: a failure, or a success whose
        // revision the watch already brought (otherwise applyDurable's notifyAll at that revision
        // wakes them), so each write costs one round of wake-ups of the waiting writers, not two
        f.whenComplete((r, e) -> {
            if (e != null || r <= durable) {
                synchronized (this) {
                    notifyAll();
                }
            }
        });
        long deadline = System.nanoTime() + WRITE_TIMEOUT_SECONDS * 1_000_000_000L;
        while (!f.isDone() && !closed) {
            waitUntil(deadline);
        }
        if (!f.isDone()) {
            throw ApiException.internal("storage closed");
        }
        long rev;
        try {
            rev = f.join();
        } catch (RuntimeException e) {
            RuntimeException cause = EtcdStorage.unwrap(e);
            if (cause instanceof StorageConflict c && !c.allocation()) {
                throw create ? ApiException.alreadyExists(type, name) : ApiException.conflict(type, name,
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            if (cause instanceof StorageConflict c) {
                throw c;
            }
            throw ApiException.internal("storage write failed: " + cause.getMessage());
        }
        // read-your-writes: the etcd watch must have brought this cache to the write's revision
        while (durable < rev && !closed) {
            waitUntil(deadline);
        }
        return rev;
    }

    private void awaitLocal(CompletableFuture<Long> f, long rev) {
        f.whenComplete((r, e) -> {
            if (e != null) {
                synchronized (this) {
                    failed = EtcdStorage.unwrap(e);
                    notifyAll();
                }
            }
        });
        awaitDurable(rev);
        if (durable < rev) {
            throw ApiException.internal("storage commit failed: " + (failed == null ? "closed" : failed.getMessage()));
        }
    }

    private void checkUsable() {
        if (failed != null) {
            // the index holds writes that never became durable: refuse everything until a restart
            throw ApiException.internal("storage failed earlier: " + failed.getMessage());
        }
        if (closed) {
            throw ApiException.internal("storage closed");
        }
    }

    private static void deliver(WatchEvent e, String storageKey, Optional<String> namespace, Consumer<WatchEvent> listener) {
        if (e.storageKey().equals(storageKey) && (namespace.isEmpty() || namespace.get().equals(e.namespace()))) {
            listener.accept(e);
        }
    }

    private static long rv(ObjectNode o) {
        return o.path("metadata").path("resourceVersion").asLong(0);
    }

    private static String name(ObjectNode o) {
        return o.path("metadata").path("name").asText("");
    }

    private TreeMap<String, ObjectNode> index(String storageKey) {
        return objects.computeIfAbsent(storageKey, k -> new TreeMap<>());
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
