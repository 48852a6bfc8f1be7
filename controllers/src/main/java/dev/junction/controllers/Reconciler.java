package dev.junction.controllers;

/**
 * One level-triggered reconcile step for the object named by a work-queue key: read the desired state
 * from informer caches, compare with the actual state and act. Implementations must be idempotent;
 * throwing re-queues the key with backoff.
 */
@FunctionalInterface
interface Reconciler {
    /** @param key {@code namespace/name} (or {@code name} for cluster-scoped objects) */
    void reconcile(String key) throws Exception;
}
