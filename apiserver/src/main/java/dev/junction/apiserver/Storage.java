package dev.junction.apiserver;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The durable storage behind {@link Store}, in the role of upstream's {@code storage.Interface}
 * ({@code k8s.io/apiserver/pkg/storage/interfaces.go}) with its two implementations here:
 * {@link SqliteStorage} (kine-style, this process assigns revisions) and {@link EtcdStorage} (etcd
 * assigns revisions; several API servers share it). {@link Store} is the cache in front (upstream's
 * cacher): it loads everything once, then learns every durable change through {@link #follow}.
 */
interface Storage extends AutoCloseable {
    /** State found by {@link #load}: the revision of that state and the compacted revision (0 = none). */
    record Loaded(long revision, long compacted) {
    }

    /**
     * Keys that one write claims (they must not exist; they are created) or releases (deleted), in
     * the same transaction as the object: the ClusterIP / NodePort allocation keys of a Service,
     * relative to the storage prefix (e.g. {@code ipaddresses/10.96.0.10}).
     */
    record Guards(List<String> claims, List<String> releases) {
        static final Guards NONE = new Guards(List.of(), List.of());

        public Guards {
            claims = List.copyOf(claims);
            releases = List.copyOf(releases);
        }
    }

    /**
     * One write.
     *
     * @param event            the change; its revision is the one {@link Store} assigned when
     *                         {@link #assignsRevisions()} is false, and ignored otherwise
     * @param name             the object's name
     * @param expectedRevision the key's current mod revision as the writer saw it; 0 = must not exist
     * @param guards           allocation keys claimed and released with the object
     */
    record Write(WatchEvent event, String name, long expectedRevision, Guards guards) {
    }

    /**
     * Reads every stored object once, as ADDED events whose objects carry their resourceVersion.
     *
     * @throws IllegalStateException when the storage cannot be read
     */
    Loaded load(Consumer<WatchEvent> sink);

    /** True when the storage (etcd) assigns revisions; false when {@link Store} assigns them (SQLite). */
    boolean assignsRevisions();

    /**
     * Makes a write durable. The future completes with the write's revision only once it is durable
     * (SQLite: after the group commit's fsync; etcd: after the transaction succeeded), or
     * exceptionally with {@link StorageConflict} when a precondition failed, or another exception
     * when the storage failed.
     */
    CompletableFuture<Long> write(Write write);

    /**
     * Delivers every durable change after {@code afterRevision}, in revision order, from a single
     * thread: SQLite's committer after each group commit, or etcd's watch on the prefix (which also
     * carries the writes of other API servers).
     *
     * @param lost called once, from the same thread as {@code sink} and after every change it
     *             delivered, when the storage can no longer deliver the changes that follow (etcd:
     *             the watch failed for good, e.g. compacted past the last revision delivered); the
     *             follower must {@link #load} again and call {@code follow} anew, as upstream's
     *             reflector re-lists. SQLite never calls it.
     */
    void follow(long afterRevision, Consumer<List<WatchEvent>> sink, Runnable lost);

    /** Durable events with revision in {@code (after, upTo]} still in the change log; empty when it keeps none. */
    List<WatchEvent> history(long after, long upTo);

    /** Revisions at or below this one are gone from the change log ({@code 410 Expired}). */
    long compacted();

    @Override
    void close();
}
