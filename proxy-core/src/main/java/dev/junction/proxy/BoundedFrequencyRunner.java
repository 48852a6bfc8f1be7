package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one function on its own thread, no more often than a token bucket allows and at least every
 * {@code maxInterval}, like upstream {@code async.BoundedFrequencyRunner} (kubernetes
 * pkg/util/async/bounded_frequency_runner.go, now pkg/proxy/runner): {@link #run()} asks for a run
 * "soon"; requests that arrive while the bucket is empty coalesce into one run as soon as a token
 * is available. The bucket holds {@code burst} tokens and refills one per {@code minInterval};
 * {@code minInterval} of zero means no rate limit. A run that throws is retried after
 * {@link #retryAfter} or, by default, after {@code minInterval} (at least 1 s).
 *
 * <p>Never runs the function concurrently with itself. {@link #close()} stops the thread.
 */
public final class BoundedFrequencyRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedFrequencyRunner.class);

    private final String name;
    private final Runnable fn;
    private final long minIntervalNanos;
    private final long maxIntervalNanos;
    private final int burst;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;

    private double tokens;
    private long lastRefill;
    private long lastRun;
    private boolean requested;
    private long retryAt = Long.MAX_VALUE;
    private boolean closed;

    /**
     * Creates and starts the runner; the first run happens after the first {@link #run()} or after
     * {@code maxInterval}, whichever comes first.
     *
     * @param name        thread name, for logs
     * @param fn          the work, e.g. {@code syncProxyRules}
     * @param minInterval minimum time between runs once the burst is spent (zero: unlimited)
     * @param maxInterval maximum time between runs (positive)
     * @param burst       runs allowed back to back (at least 1)
     * @throws IllegalArgumentException on a negative minInterval, non-positive maxInterval or burst &lt; 1
     */
    public BoundedFrequencyRunner(String name, Runnable fn, Duration minInterval, Duration maxInterval, int burst) {
        this.name = requireNonNull(name, "name");
        this.fn = requireNonNull(fn, "fn");
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("minInterval: " + minInterval + " (expected: >= 0)");
        }
        if (maxInterval.isNegative() || maxInterval.isZero()) {
            throw new IllegalArgumentException("maxInterval: " + maxInterval + " (expected: > 0)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        this.minIntervalNanos = minInterval.toNanos();
        this.maxIntervalNanos = maxInterval.toNanos();
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = System.nanoTime();
        this.lastRun = lastRefill;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::loop);
        thread.start();
    }

    /** Requests a run as soon as the rate limit allows; never blocks. */
    public void run() {
        lock.lock();
        try {
            requested = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Requests a run after {@code interval} (unless one happens earlier), as upstream {@code RetryAfter}. */
    public void retryAfter(Duration interval) {
        lock.lock();
        try {
            retryAt = Math.min(retryAt, System.nanoTime() + interval.toNanos());
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (true) {
            lock.lock();
            try {
                while (!closed && !due()) {
                    wake.awaitNanos(waitNanos());
                }
                if (closed) {
                    return;
                }
                takeToken();
                requested = false;
                retryAt = Long.MAX_VALUE;
                lastRun = System.nanoTime();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                fn.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: run failed, retrying: {}", name, e.toString());
                retryAfter(Duration.ofNanos(Math.max(minIntervalNanos, TimeUnit.SECONDS.toNanos(1))));
            }
        }
    }

    private boolean due() {
        long now = System.nanoTime();
        if (now - lastRun >= maxIntervalNanos) {
            return true;
        }
        return (requested || now - retryAt >= 0) && availableTokens(now) >= 1;
    }

    private long waitNanos() {
        long now = System.nanoTime();
        long deadline = lastRun + maxIntervalNanos - now;
        long wait = deadline;
        if (requested || (retryAt != Long.MAX_VALUE && now - retryAt >= 0)) {
            double missing = 1 - availableTokens(now);
            if (missing > 0) {
                wait = Math.min(deadline, (long) Math.ceil(missing * minIntervalNanos));
            }
        } else if (retryAt != Long.MAX_VALUE) {
            wait = Math.min(deadline, retryAt - now);
        }
        return Math.max(1, wait);
    }

    private double availableTokens(long now) {
        if (minIntervalNanos == 0) {
            return burst;
        }
        return Math.min(burst, tokens + (double) (now - lastRefill) / minIntervalNanos);
    }

    private void takeToken() {
        long now = System.nanoTime();
        tokens = Math.max(0, availableTokens(now) - 1);
        lastRefill = now;
    }
}
