package dev.junction.proxy;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * kube-proxy's sync metrics, under upstream names (kubernetes pkg/proxy/metrics/metrics.go), and
 * the health state behind {@code /healthz} (upstream pkg/proxy/healthcheck/proxy_health.go):
 * unhealthy when a sync was queued more than {@code healthTimeout} ago and none has succeeded since.
 * Thread-safe.
 */
public final class ProxyMetrics {
    /** Histogram buckets in seconds: upstream's {@code ExponentialBuckets(0.001, 2, 15)}. */
    static final double[] BUCKETS = new double[15];

    static {
        for (int i = 0; i < BUCKETS.length; i++) {
            BUCKETS[i] = 0.001 * Math.pow(2, i);
        }
    }

    /**
     * Buckets of {@code kubeproxy_network_programming_duration_seconds}: upstream's (0.25 s, 0.5 s,
     * 1–59 s, 60–115 s by 5, 120–300 s by 30) preceded by 1–128 ms powers of two, so that sub-second
     * programming (the lab's 200 ms target) is visible.
     */
    static final double[] PROGRAMMING_BUCKETS;

    static {
        java.util.List<Double> b = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            b.add(0.001 * Math.pow(2, i));
        }
        b.add(0.25);
        b.add(0.5);
        for (int s = 1; s <= 59; s++) {
            b.add((double) s);
        }
        for (int s = 60; s <= 115; s += 5) {
            b.add((double) s);
        }
        for (int s = 120; s <= 300; s += 30) {
            b.add((double) s);
        }
        PROGRAMMING_BUCKETS = b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Stages of {@link #networkProgrammingStages}, in order. */
    static final String[] STAGES = {"watch", "queue", "snapshot", "sync"};

    private final AtomicLongArray stageCounts = new AtomicLongArray(STAGES.length * PROGRAMMING_BUCKETS.length);
    private final AtomicLongArray stageTotals = new AtomicLongArray(STAGES.length);
    private final AtomicLongArray stageSumNanos = new AtomicLongArray(STAGES.length);
    private final AtomicLongArray programmingCounts = new AtomicLongArray(PROGRAMMING_BUCKETS.length);
    private final AtomicLong programmingCount = new AtomicLong();
    private final AtomicLong programmingSumNanos = new AtomicLong();
    private final Clock clock;
    private final Duration healthTimeout;
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sumNanos = new AtomicLong();
    private final AtomicLong restoreFailures = new AtomicLong();
    private final AtomicLong lastSyncMillis = new AtomicLong();
    private final AtomicLong lastSnapshotMillis = new AtomicLong();
    private final AtomicLong lastQueuedMillis = new AtomicLong();

    /** @param healthTimeout how long a queued sync may stay unapplied (upstream: 2 × syncPeriod) */
    public ProxyMetrics(Clock clock, Duration healthTimeout) {
        this.clock = clock;
        this.healthTimeout = healthTimeout;
    }

    /** Records that a sync was requested (upstream {@code QueuedUpdate}). */
    public void queued() {
        lastQueuedMillis.compareAndSet(0, clock.millis());
    }

    /**
     * Records a successful sync that took {@code elapsed} and programmed the Services and endpoints
     * the proxy had received by {@code snapshotMillis} (ms since the epoch, when the sync checked out
     * its changes), exposed as {@code junction_sync_proxy_rules_last_snapshot_timestamp_seconds}: a
     * Junction addition that tells "rules now reflect everything known at time T", which
     * upstream's {@code kubeproxy_sync_proxy_rules_last_timestamp_seconds} (set when a sync ends,
     * however old its snapshot) cannot.
     */
    public void synced(Duration elapsed, long snapshotMillis) {
        observe(elapsed);
        lastSnapshotMillis.set(snapshotMillis);
        lastSyncMillis.set(clock.millis());
        lastQueuedMillis.set(0);
    }

    /**
     * Records one network-programming latency sample: from an EndpointSlice change's trigger time
     * (its {@code endpoints.kubernetes.io/last-change-trigger-time}) to the end of the sync that
     * programmed it (upstream {@code NetworkProgrammingLatency}). Negative values (clock skew) count as 0.
     */
    public void networkProgrammed(Duration latency) {
        long nanos = Math.max(0, latency.toNanos());
        double seconds = nanos / 1e9;
        for (int i = 0; i < PROGRAMMING_BUCKETS.length; i++) {
            if (seconds <= PROGRAMMING_BUCKETS[i]) {
                programmingCounts.incrementAndGet(i);
            }
        }
        programmingSumNanos.addAndGet(nanos);
        programmingCount.incrementAndGet();
    }

    /**
     * Records where one network-programming sample's time went, as
     * {@code junction_network_programming_stage_duration_seconds{stage=…}} (a Junction addition,
     * same buckets as the upstream histogram; negative values count as 0): {@code watch} from the
     * trigger time to the change tracker (API server, watch, informer), {@code queue} from there to
     * the start of the sync that took it (the runner), {@code snapshot} folding the changes into a
     * snapshot, {@code sync} the proxier's sync.
     */
    public void networkProgrammingStages(Duration watch, Duration queue, Duration snapshot, Duration sync) {
        Duration[] values = {watch, queue, snapshot, sync};
        for (int s = 0; s < STAGES.length; s++) {
            long nanos = Math.max(0, values[s].toNanos());
            double seconds = nanos / 1e9;
            for (int i = 0; i < PROGRAMMING_BUCKETS.length; i++) {
                if (seconds <= PROGRAMMING_BUCKETS[i]) {
                    stageCounts.incrementAndGet(s * PROGRAMMING_BUCKETS.length + i);
                }
            }
            stageSumNanos.addAndGet(s, nanos);
            stageTotals.incrementAndGet(s);
        }
    }

    /** Number of network-programming samples so far. */
    public long networkProgrammingSamples() {
        return programmingCount.get();
    }

    /** Records a failed sync that took {@code elapsed}. */
    public void failed(Duration elapsed) {
        observe(elapsed);
        restoreFailures.incrementAndGet();
    }

    /** Number of failed syncs so far. */
    public long failures() {
        return restoreFailures.get();
    }

    /** Number of syncs (successful or not) so far. */
    public long syncs() {
        return count.get();
    }

    /** True unless a queued update has waited longer than the health timeout. */
    public boolean healthy() {
        long queued = lastQueuedMillis.get();
        return queued == 0 || clock.millis() - queued <= healthTimeout.toMillis();
    }

    /** Milliseconds since the epoch of the last successful sync, or 0. */
    public long lastSyncMillis() {
        return lastSyncMillis.get();
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String render() {
        StringBuilder out = new StringBuilder();
        String h = "kubeproxy_sync_proxy_rules_duration_seconds";
        out.append("# HELP ").append(h).append(" SyncProxyRules latency in seconds\n");
        out.append("# TYPE ").append(h).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative = bucketCounts.get(i);
            out.append(h).append("_bucket{le=\"").append(fmt(BUCKETS[i])).append("\"} ").append(cumulative).append('\n');
        }
        out.append(h).append("_bucket{le=\"+Inf\"} ").append(count.get()).append('\n');
        out.append(h).append("_sum ").append(fmt(sumNanos.get() / 1e9)).append('\n');
        out.append(h).append("_count ").append(count.get()).append('\n');
        String t = "kubeproxy_sync_proxy_rules_last_timestamp_seconds";
        out.append("# HELP ").append(t).append(" The last time proxy rules were successfully synced\n");
        out.append("# TYPE ").append(t).append(" gauge\n");
        out.append(t).append(' ').append(fmt(lastSyncMillis.get() / 1e3)).append('\n');
        String snap = "junction_sync_proxy_rules_last_snapshot_timestamp_seconds";
        out.append("# HELP ").append(snap).append(" When the last successful sync took its snapshot of Services and endpoints\n");
        out.append("# TYPE ").append(snap).append(" gauge\n");
        out.append(snap).append(' ').append(fmt(lastSnapshotMillis.get() / 1e3)).append('\n');
        String f = "kubeproxy_sync_proxy_rules_iptables_restore_failures_total";
        out.append("# HELP ").append(f).append(" Cumulative proxy iptables restore failures\n");
        out.append("# TYPE ").append(f).append(" counter\n");
        out.append(f).append(' ').append(restoreFailures.get()).append('\n');
        String n = "kubeproxy_network_programming_duration_seconds";
        out.append("# HELP ").append(n).append(" In Cluster Network Programming Latency in seconds\n");
        out.append("# TYPE ").append(n).append(" histogram\n");
        for (int i = 0; i < PROGRAMMING_BUCKETS.length; i++) {
            out.append(n).append("_bucket{le=\"").append(fmt(PROGRAMMING_BUCKETS[i])).append("\"} ").append(programmingCounts.get(i)).append('\n');
        }
        out.append(n).append("_bucket{le=\"+Inf\"} ").append(programmingCount.get()).append('\n');
        out.append(n).append("_sum ").append(fmt(programmingSumNanos.get() / 1e9)).append('\n');
        out.append(n).append("_count ").append(programmingCount.get()).append('\n');
        String st = "junction_network_programming_stage_duration_seconds";
        out.append("# HELP ").append(st).append(" Network programming latency split by stage (watch, queue, snapshot, sync) in seconds\n");
        out.append("# TYPE ").append(st).append(" histogram\n");
        for (int s = 0; s < STAGES.length; s++) {
            String label = "{stage=\"" + STAGES[s] + "\",";
            for (int i = 0; i < PROGRAMMING_BUCKETS.length; i++) {
                out.append(st).append("_bucket").append(label).append("le=\"").append(fmt(PROGRAMMING_BUCKETS[i])).append("\"} ")
                        .append(stageCounts.get(s * PROGRAMMING_BUCKETS.length + i)).append('\n');
            }
            out.append(st).append("_bucket").append(label).append("le=\"+Inf\"} ").append(stageTotals.get(s)).append('\n');
            out.append(st).append("_sum{stage=\"").append(STAGES[s]).append("\"} ").append(fmt(stageSumNanos.get(s) / 1e9)).append('\n');
            out.append(st).append("_count{stage=\"").append(STAGES[s]).append("\"} ").append(stageTotals.get(s)).append('\n');
        }
        return out.toString();
    }

    private void observe(Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                bucketCounts.incrementAndGet(i);
            }
        }
        sumNanos.addAndGet(elapsed.toNanos());
        count.incrementAndGet();
    }

    private static String fmt(double value) {
        String s = String.format(Locale.ROOT, "%.6f", value);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
