package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads that drain a {@link WorkQueue} into a {@link Reconciler}, like client-go's
 * {@code processNextWorkItem}: success forgets the key, failure re-adds it rate-limited (up to
 * {@code maxRetries}, then the key is dropped until the next event).
 */
final class ControllerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);
    private static final int MAX_RETRIES = 15;

    private final String name;
    private final WorkQueue queue;
    private final Reconciler reconciler;
    private final List<Thread> workers = new ArrayList<>();

    ControllerLoop(String name, Reconciler reconciler) {
        this.name = requireNonNull(name, "name");
        this.reconciler = requireNonNull(reconciler, "reconciler");
        this.queue = new WorkQueue(name, Duration.ofSeconds(30));
    }

    String name() {
        return name;
    }

    /** The work queue (for metrics). */
    WorkQueue queue() {
        return queue;
    }

    /** Queues {@code key} for reconciliation. */
    void enqueue(String key) {
        queue.add(key);
    }

    /** Queues {@code key} after {@code delay}. */
    void enqueueAfter(String key, Duration delay) {
        queue.addAfter(key, delay);
    }

    /** Starts {@code threads} workers. */
    void start(int threads) {
        for (int i = 0; i < threads; i++) {
            Thread t = Thread.ofPlatform().daemon().name(name + "-worker-" + i).start(this::run);
            workers.add(t);
        }
    }

    private void run() {
        while (true) {
            String key;
            try {
                var next = queue.take();
                if (next.isEmpty()) {
                    return;
                }
                key = next.get();
            } catch (InterruptedException e) {
                return;
            }
            try {
                reconciler.reconcile(key);
                queue.forget(key);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (queue.failures(key) < MAX_RETRIES) {
                    if (e instanceof KubernetesClientException k && k.getCode() == 409) {
                        LOG.debug("{}: conflict syncing {}, retrying: {}", name, key, e.toString());
                    } else {
                        LOG.info("{}: error syncing {}, retrying: {}", name, key, e.toString());
                    }
                    queue.addRateLimited(key);
                } else {
                    LOG.warn("{}: dropping {} after {} retries", name, key, MAX_RETRIES, e);
                    queue.forget(key);
                }
            } finally {
                queue.done(key);
            }
        }
    }

    @Override
    public void close() {
        queue.shutDown();
        for (Thread t : workers) {
            t.interrupt();
        }
    }
}
