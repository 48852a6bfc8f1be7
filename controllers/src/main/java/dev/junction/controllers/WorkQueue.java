package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A de-duplicating, rate-limited work queue of object keys ({@code namespace/name}), with the
 * semantics of client-go's {@code util/workqueue} (the queue plus {@code ItemExponentialFailureRateLimiter}):
 * <ul>
 *   <li>a key is queued at most once; a key added while it is being processed is queued again after
 *       {@link #done} (so one key is never processed by two workers at once);</li>
 *   <li>{@link #addAfter} keeps one pending delayed add per key, at the earliest time asked for: a later
 *       time for a key already waiting is dropped, an earlier one replaces it (client-go's
 *       {@code delaying_queue.go}, whose {@code waitingForQueue} map updates {@code readyAt} only when the new
 *       time is sooner), so a burst of delayed adds costs one timer, not one per call;</li>
 *   <li>{@link #addRateLimited} re-adds after an exponential per-key delay (5 ms doubling, capped at
 *       {@code maxDelay}); {@link #forget} resets the key's failure count.</li>
 * </ul>
 * Thread-safe.
 */
final class WorkQueue {
    private static final Duration BASE_DELAY = Duration.ofMillis(5);

    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<String, Waiting> waiting = new HashMap<>();
    private final Duration maxDelay;
    private final ScheduledExecutorService timer;
    private boolean shutDown;
    private long adds;
    private long retries;

    /** @param name thread name of the delay timer; maxDelay caps the retry backoff */
    WorkQueue(String name, Duration maxDelay) {
        this.maxDelay = requireNonNull(maxDelay, "maxDelay");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-queue-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code key} unless it is already waiting. */
    synchronized void add(String key) {
        requireNonNull(key, "key");
        if (shutDown || !dirty.add(key)) {
            return;
        }
        adds++;
        if (!processing.contains(key)) {
            queue.addLast(key);
            notifyAll();
        }
    }

    /**
     * Queues {@code key} after {@code delay} (zero or negative: now). If the key already waits for a
     * delayed add, the earlier of the two times is kept.
     */
    void addAfter(String key, Duration delay) {
        requireNonNull(key, "key");
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        long readyAt = System.nanoTime() + delay.toNanos();
        synchronized (this) {
            if (shutDown) {
                return;
            }
            Waiting pending = waiting.get(key);
            if (pending != null && pending.readyAt - readyAt <= 0) {
                return;
            }
            if (pending != null) {
                pending.timer.cancel(false);
            }
            Waiting w = new Waiting(readyAt);
            try {
                w.timer = timer.schedule(() -> fire(key, w), delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                return; // shut down meanwhile
            }
            waiting.put(key, w);
        }
    }

    /** Number of keys waiting for a delayed add. */
    synchronized int waitingForDelay() {
        return waiting.size();
    }

    private synchronized void fire(String key, Waiting w) {
        if (waiting.get(key) == w) {
            waiting.remove(key);
            add(key);
        }
    }

    /** A pending delayed add: when it is due ({@link System#nanoTime} scale) and its timer. */
    private static final class Waiting {
        final long readyAt;
        ScheduledFuture<?> timer;

        Waiting(long readyAt) {
            this.readyAt = readyAt;
        }
    }

    /** Queues {@code key} after its next exponential backoff delay. */
    void addRateLimited(String key) {
        int n;
        synchronized (this) {
            n = failures.merge(key, 1, Integer::sum) - 1;
            retries++;
        }
        long millis = BASE_DELAY.toMillis() << Math.min(n, 30);
        addAfter(key, Duration.ofMillis(Math.min(millis, maxDelay.toMillis())));
    }

    /** Resets the failure count of {@code key}. */
    synchronized void forget(String key) {
        failures.remove(key);
    }

    /** Number of failures recorded for {@code key} since the last {@link #forget}. */
    synchronized int failures(String key) {
        return failures.getOrDefault(key, 0);
    }

    /** Blocks for the next key; empty once the queue is shut down. */
    synchronized Optional<String> take() throws InterruptedException {
        while (queue.isEmpty() && !shutDown) {
            wait();
        }
        if (shutDown) {
            return Optional.empty();
        }
        String key = queue.removeFirst();
        dirty.remove(key);
        processing.add(key);
        return Optional.of(key);
    }

    /** Marks {@code key} as processed; re-queues it if it was added meanwhile. */
    synchronized void done(String key) {
        processing.remove(key);
        if (dirty.contains(key)) {
            queue.addLast(key);
            notifyAll();
        }
    }

    /** Number of keys waiting (not counting those being processed). */
    synchronized int length() {
        return queue.size();
    }

    /** Keys accepted by {@link #add} since creation (client-go {@code workqueue_adds_total}). */
    synchronized long adds() {
        return adds;
    }

    /** Rate-limited re-adds since creation (client-go {@code workqueue_retries_total}). */
    synchronized long retries() {
        return retries;
    }

    /** Wakes every waiting worker with an empty result and drops pending keys. */
    void shutDown() {
        synchronized (this) {
            shutDown = true;
            queue.clear();
            waiting.clear();
            notifyAll();
        }
        timer.shutdownNow();
    }
}
