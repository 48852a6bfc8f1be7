package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Compacts etcd's key history the way kube-apiserver does ({@code k8s.io/apiserver/pkg/storage/etcd3/compact.go},
 * flag {@code --etcd-compaction-interval}, default 5 min): every interval, one transaction bumps the
 * version of the key {@code compact_rev_key} (outside any prefix, shared by every API server on the
 * etcd) if its version is still the one this server saw last, and the revision it commits at is
 * remembered as the next round's target; when it succeeds, etcd is compacted to the revision
 * remembered one round earlier. So history is
 * kept for at least one interval, and among several API servers only the one whose transaction wins
 * compacts in a round (the others learn the key's version and try again next round). The first round
 * only records a revision (upstream: "we don't compact on bootstrap").
 *
 * <p>This server's cache never reads etcd's history (older watches get 410 from the cache's window),
 * so compaction only matters to a cache that fell an interval behind; that cache re-lists
 * ({@link Store}). Without compaction etcd keeps every revision until its space quota raises the
 * NOSPACE alarm and refuses writes.
 */
final class EtcdCompactor implements AutoCloseable {
    /** The key kube-apiserver uses, unprefixed, so API servers with different prefixes share one schedule. */
    static final String COMPACT_REV_KEY = "compact_rev_key";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EtcdCompactor.class);

    private final Client client;
    private final ScheduledExecutorService timer;
    /** Version of {@link #COMPACT_REV_KEY} this server saw last (upstream's {@code compactTime}); 0 = absent. */
    private long lastVersion;
    /** Revision recorded by the last successful round: the next compaction target (0 = none yet). */
    private long lastRevision;

    private EtcdCompactor(Client client) {
        this.client = requireNonNull(client, "client");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "etcd-compactor");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts compacting every {@code interval} (the first round after one interval).
     *
     * @param interval time between rounds; must be positive
     * @throws IllegalArgumentException when {@code interval} is zero or negative
     */
    static EtcdCompactor start(Client client, Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        EtcdCompactor c = new EtcdCompactor(client);
        long ms = interval.toMillis();
        c.timer.scheduleWithFixedDelay(c::roundLogged, ms, ms, TimeUnit.MILLISECONDS);
        return c;
    }

    /** A compactor without a schedule, whose rounds the caller runs ({@link #round()}): for tests. */
    static EtcdCompactor manual(Client client) {
        return new EtcdCompactor(client);
    }

    /**
     * One round of upstream's {@code compact()}.
     *
     * @return the revision etcd was compacted to, or 0 when this round compacted nothing (first round,
     *         another API server won the round, or nothing recorded yet)
     * @throws IllegalStateException when etcd cannot be reached or refuses the compaction
     */
    synchronized long round() {
        ByteSequence key = ByteSequence.from(COMPACT_REV_KEY, StandardCharsets.UTF_8);
        try {
            // the revision this transaction commits at becomes the next round's target; the value
            // written is informative (upstream writes the previous target there)
            TxnResponse r = client.getKVClient().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(lastVersion)))
                    .Then(Op.put(key, ByteSequence.from(Long.toString(lastRevision), StandardCharsets.UTF_8), PutOption.DEFAULT))
                    .Else(Op.get(key, GetOption.DEFAULT))
                    .commit().get(EtcdStorage.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long current = r.getHeader().getRevision();
            if (!r.isSucceeded()) {
                // another API server compacted this round (or this one restarted): follow its count
                lastVersion = r.getGetResponses().get(0).getKvs().isEmpty() ? 0
                        : r.getGetResponses().get(0).getKvs().get(0).getVersion();
                lastRevision = current;
                return 0;
            }
            lastVersion++;
            long target = lastRevision;
            lastRevision = current;
            if (target == 0) {
                return 0;
            }
            client.getKVClient().compact(target).get(EtcdStorage.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted compacting etcd", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot compact etcd: " + e.getMessage(), e);
        }
    }

    private void roundLogged() {
        try {
            long rev = round();
            if (rev > 0) {
                LOG.info("compacted etcd to revision {}", rev);
            }
        } catch (RuntimeException e) {
            LOG.warn("etcd compaction round failed (next round in one interval): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
